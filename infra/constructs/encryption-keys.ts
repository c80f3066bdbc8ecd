import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The stack's symmetric customer-managed keys (rotated yearly, retained on delete):
 * `dataKey` encrypts the ingest and archive buckets, `logsKey` every CloudWatch log group.
 */
export class EncryptionKeys extends Construct {
  readonly dataKey: Key;
  readonly logsKey: Key;

  constructor(scope: Construct, id: string, props: { slug: string }) {
    super(scope, id);
    this.dataKey = new Key(this, 'DataKey', {
      description: `motcua ${props.slug}: scans, work files and archived documents`,
      enableKeyRotation: true,
      alias: `alias/motcua/${props.slug}/data`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logsKey = new Key(this, 'LogsKey', {
      description: `motcua ${props.slug}: CloudWatch log groups`,
      enableKeyRotation: true,
      alias: `alias/motcua/${props.slug}/logs`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const { region, account, partition } = Stack.of(this);
    this.logsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
  }
}
