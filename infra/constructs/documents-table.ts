import { RemovalPolicy } from 'aws-cdk-lib';
import { BackupPlan, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
import { acknowledgeOnResource } from './acknowledge-on-resource.ts';

/**
 * The documents table (records, code counters, archive index) with the key schema shared
 * with the embedded runtime: on demand, point-in-time recovery, deletion protection, retained,
 * and in an AWS Backup plan (daily for 35 days, monthly for a year) because it holds the
 * archive index and the code counters. Items carrying `expiresAt` (epoch seconds: upload
 * requests still awaiting their upload) are deleted by DynamoDB TTL after that time.
 */
export class DocumentsTable extends Construct {
  readonly table: Table;
  /** The province's backup plan, which other tables (the audit trail's) join. */
  readonly backupPlan: BackupPlan;

  constructor(scope: Construct, id: string, props: { backupKey: IKey }) {
    super(scope, id);
    const { partitionKey, sortKey, statusIndex, ttlAttribute } = DOCUMENTS_TABLE_SCHEMA;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: statusIndex.name,
      partitionKey: { name: statusIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: statusIndex.sortKey, type: AttributeType.STRING },
    });
    const { agencyStatusIndex } = DOCUMENTS_TABLE_SCHEMA;
    this.table.addGlobalSecondaryIndex({
      indexName: agencyStatusIndex.name,
      partitionKey: { name: agencyStatusIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: agencyStatusIndex.sortKey, type: AttributeType.STRING },
    });
    const vault = new BackupVault(this, 'BackupVault', {
      encryptionKey: props.backupKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plan = BackupPlan.dailyMonthly1YearRetention(this, 'BackupPlan', vault);
    this.backupPlan = plan;
    const selection = plan.addSelection('Table', {
      resources: [BackupResource.fromDynamoDbTable(this.table)],
    });
    // On the selection's service role, the resource the managed policy is attached to.
    acknowledgeOnResource(selection.node.findChild('Role'), {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup service role: the AWS-maintained policy is the documented minimum for backup jobs and follows new resource types.',
    });
  }
}
