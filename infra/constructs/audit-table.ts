import { RemovalPolicy } from 'aws-cdk-lib';
import { type BackupPlan, BackupResource } from 'aws-cdk-lib/aws-backup';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AUDIT_TABLE_INDEXES, AUDIT_TABLE_SCHEMA } from '#shared/adapters/aws/audit-table.ts';
import { acknowledgeOnResource } from './acknowledge-on-resource.ts';

/**
 * The audit trail's own table (AUDIT_TABLE_SCHEMA): encrypted with the province's data key,
 * point-in-time recovery, deletion protection, retained when the stack goes, and in the
 * province's backup plan (daily for 35 days, monthly for a year). Application roles
 * may only append to it ({@link AuditTable.grantAppend}): the chain design needs no head item,
 * so there is no UpdateItem, and nothing deletes.
 */
export class AuditTable extends Construct {
  readonly table: Table;
  private readonly dataKey: IKey;

  constructor(scope: Construct, id: string, props: { dataKey: IKey; backupPlan: BackupPlan }) {
    super(scope, id);
    this.dataKey = props.dataKey;
    const { partitionKey, sortKey } = AUDIT_TABLE_SCHEMA;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.dataKey,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of AUDIT_TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }
    const selection = props.backupPlan.addSelection('AuditTable', {
      resources: [BackupResource.fromDynamoDbTable(this.table)],
    });
    acknowledgeOnResource(selection.node.findChild('Role'), {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup service role: the AWS-maintained policy is the documented minimum for backup jobs and follows new resource types.',
    });
  }

  /** Read the chains only: GetItem and Query on the table (no index), and the data key's decrypt. */
  grantReadChains(grantee: IGrantable): void {
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [this.dataKey.keyArn] }),
    );
  }

  /**
   * Append and read: PutItem (the adapter's puts are conditional, attribute_not_exists), GetItem
   * and Query on the table and its indexes, and the data key's use for them. No UpdateItem,
   * DeleteItem or BatchWriteItem.
   */
  grantAppend(grantee: IGrantable): void {
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: AUDIT_TABLE_INDEXES.map((index) => `${this.table.tableArn}/index/${index.name}`),
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [this.dataKey.keyArn],
      }),
    );
  }
}
