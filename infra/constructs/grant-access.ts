import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/** What a function may do with objects under some key prefixes of a bucket. */
export interface ObjectGrant {
  readonly bucket: IBucket;
  /** Key of the bucket's SSE-KMS encryption. */
  readonly key: IKey;
  /** Prefixes readable (GetObject, GetObjectVersion), e.g. `incoming/`. */
  readonly read?: readonly string[];
  /** Prefixes writable (PutObject). */
  readonly write?: readonly string[];
  /** Extra object actions on the written prefixes, e.g. `s3:PutObjectRetention`. */
  readonly extraWriteActions?: readonly string[];
}

const PREFIX_REASON =
  'Object keys are generated per upload (UUIDs, digitised codes), so access is granted on a key prefix; the wildcard covers only that prefix of one bucket.';

/**
 * Grants object access limited to key prefixes, plus the KMS calls SSE-KMS needs on the
 * bucket key only, and records why the prefix wildcard is acceptable on `owner`'s policy.
 */
export function grantObjects(owner: IConstruct, grantee: IGrantable, grant: ObjectGrant): void {
  const logicalId = logicalIdOf(grant.bucket);
  const resources = (prefixes: readonly string[]) =>
    prefixes.map((prefix) => grant.bucket.arnForObjects(`${prefix}*`));
  const acknowledge = (prefixes: readonly string[]) => {
    for (const prefix of prefixes) {
      Validations.of(owner).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`,
        reason: PREFIX_REASON,
      });
    }
  };
  const read = grant.read ?? [];
  const write = grant.write ?? [];
  if (read.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: resources(read) }),
    );
    grant.key.grantDecrypt(grantee);
  }
  if (write.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', ...(grant.extraWriteActions ?? [])],
        resources: resources(write),
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [grant.key.keyArn] }),
    );
  }
  acknowledge([...new Set([...read, ...write])]);
}

/** Grants item reads and writes on the table and its status index (no scans, no deletes of the table). */
export function grantTableItems(grantee: IGrantable, table: ITable, indexName: string): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
      ],
      resources: [table.tableArn, `${table.tableArn}/index/${indexName}`],
    }),
  );
}

function logicalIdOf(bucket: IBucket): string {
  return Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
}
