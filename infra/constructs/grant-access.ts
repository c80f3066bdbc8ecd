import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { acknowledgeOnResource, defaultPolicyOf } from './acknowledge-on-resource.ts';

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
  /**
   * Prefixes whose objects' tags may be replaced (PutObjectTagging on the current version), e.g.
   * the terminal-state tag that lifecycle rules expire uploads by. Needs no KMS key.
   */
  readonly tag?: readonly string[];
}

const PREFIX_REASON =
  'Object keys are generated per upload (UUIDs, digitised codes), so access is granted on a key prefix; the wildcard covers only that prefix of one bucket.';

/**
 * Grants object access limited to key prefixes, plus the KMS calls SSE-KMS needs on the
 * bucket key only, and records why each prefix wildcard is acceptable on the IAM policy that
 * holds it (`owner` only when the grantee has no policy of this app, e.g. an imported role).
 */
export function grantObjects(owner: IConstruct, grantee: IGrantable, grant: ObjectGrant): void {
  const logicalId = logicalIdOf(grant.bucket);
  const resources = (prefixes: readonly string[]) =>
    prefixes.map((prefix) => grant.bucket.arnForObjects(`${prefix}*`));
  const add = (statement: PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
  const read = grant.read ?? [];
  const write = grant.write ?? [];
  const tag = grant.tag ?? [];
  if (read.length > 0) {
    add(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: resources(read) }),
    );
    grant.key.grantDecrypt(grantee);
  }
  if (write.length > 0) {
    add(
      new PolicyStatement({
        actions: ['s3:PutObject', ...(grant.extraWriteActions ?? [])],
        resources: resources(write),
      }),
    );
    add(
      new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [grant.key.keyArn] }),
    );
  }
  if (tag.length > 0) {
    add(new PolicyStatement({ actions: ['s3:PutObjectTagging'], resources: resources(tag) }));
  }
  const holder = defaultPolicyOf(grantee.grantPrincipal) ?? owner;
  for (const prefix of new Set([...read, ...write, ...tag])) {
    acknowledgeOnResource(holder, {
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`,
      reason: PREFIX_REASON,
    });
  }
}

/**
 * How much of the table a role gets. Neither level deletes items (no DeleteItem, no
 * BatchWriteItem, whose puts can delete): nothing in the code deletes, and unused upload
 * requests go by TTL, which DynamoDB applies without any role's permission.
 * - `read`: GetItem, Query
 * - `readWrite`: also PutItem, UpdateItem (conditional writes included)
 */
export type TableAccess = 'read' | 'readWrite';

const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  readWrite: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
};

export interface TableGrantOptions {
  /**
   * Global secondary indexes the grantee queries (Query only).
   * @default none
   */
  readonly queryIndexes?: readonly string[];
}

/** Grants item access on the table at `access` level, and Query on the indexes the grantee queries. */
export function grantTableItems(
  grantee: IGrantable,
  table: ITable,
  access: TableAccess,
  options: TableGrantOptions = {},
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...TABLE_ACTIONS[access]], resources: [table.tableArn] }),
  );
  const queryIndexes = options.queryIndexes ?? [];
  if (queryIndexes.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: queryIndexes.map((index) => `${table.tableArn}/index/${index}`),
      }),
    );
  }
}

function logicalIdOf(bucket: IBucket): string {
  return Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
}

/** Item actions that a partition-key prefix can scope (IAM `dynamodb:LeadingKeys`). */
export type ItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem';

/**
 * Grants item actions on the table only for items whose partition key starts with one of
 * `prefixes` (e.g. `ATTENTION#`), so a role that writes one kind of item cannot overwrite another.
 */
export function grantTableItemsUnder(
  grantee: IGrantable,
  table: ITable,
  actions: readonly ItemAction[],
  prefixes: readonly string[],
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...actions],
      resources: [table.tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((prefix) => `${prefix}*`) },
      },
    }),
  );
}

/** Grants Query on some global secondary indexes of the table, and nothing on its items. */
export function grantIndexQuery(grantee: IGrantable, table: ITable, indexes: readonly string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
    }),
  );
}
