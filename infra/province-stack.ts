import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { type ProvinceConfig, provinceSigningAgencyId } from '#shared/config/province-config.ts';
import { AccessLogsBucket } from './constructs/access-logs-bucket.ts';
import { acknowledgeOnResource } from './constructs/acknowledge-on-resource.ts';
import { AgencySigningKeys, allowReadingIssuedCertificates } from './constructs/agency-signing-keys.ts';
import { ArchiveBucket } from './constructs/archive-bucket.ts';
import { ArchiveExports } from './constructs/archive-exports.ts';
import { AuditAnchoring } from './constructs/audit-anchoring.ts';
import { AuditTable } from './constructs/audit-table.ts';
import { BackOfficeApi } from './constructs/back-office-api.ts';
import { DocumentPipeline } from './constructs/document-pipeline.ts';
import { DocumentsTable } from './constructs/documents-table.ts';
import { DossierRouting } from './constructs/dossier-routing.ts';
import { EncryptionKeys } from './constructs/encryption-keys.ts';
import { IngestBucket } from './constructs/ingest-bucket.ts';
import { KpiReports } from './constructs/kpi-reports.ts';
import { KpiRollup } from './constructs/kpi-rollup.ts';
import { PROJECT_ROOT } from './constructs/motcua-function.ts';
import { OverdueSweep } from './constructs/overdue-sweep.ts';
import { PipelineTrigger } from './constructs/pipeline-trigger.ts';
import { PortalDelivery } from './constructs/portal-delivery.ts';

export interface ProvinceStackProps extends StackProps {
  /** The validated province configuration. */
  readonly config: ProvinceConfig;
  /**
   * Folder holding the Lambda handlers (`pipeline/`, `ingest/`, `api/`).
   * @default the repository's functions/
   */
  readonly functionsRoot?: string;
}

/**
 * Everything one province deploys: storage, signing keys, the document pipeline, the dossier
 * routing and its overdue sweep, and the API.
 */
export class ProvinceStack extends Stack {
  readonly keys: EncryptionKeys;
  readonly ingest: IngestBucket;
  readonly archive: ArchiveBucket;
  /** Export packages (written and read by the API only). */
  readonly exports: ArchiveExports;
  readonly documents: DocumentsTable;
  readonly audit: AuditTable;
  readonly anchoring: AuditAnchoring;
  readonly signing: AgencySigningKeys;
  readonly pipeline: DocumentPipeline;
  readonly trigger: PipelineTrigger;
  readonly routing: DossierRouting;
  /** Present when the province has a national-portal endpoint to send to. */
  readonly portal?: PortalDelivery;
  readonly sweep: OverdueSweep;
  readonly kpiRollup: KpiRollup;
  readonly kpiReports: KpiReports;
  readonly api: BackOfficeApi;

  constructor(scope: Construct, id: string, props: ProvinceStackProps) {
    super(scope, id, props);
    const { config } = props;
    const functionsRoot = props.functionsRoot ?? join(PROJECT_ROOT, 'functions');
    this.keys = new EncryptionKeys(this, 'Keys', { slug: config.province.slug });
    const { dataKey, logsKey } = this.keys;
    const accessLogs = new AccessLogsBucket(this, 'AccessLogs').bucket;
    const { allowedOrigins } = config.uploads;
    this.ingest = new IngestBucket(this, 'Ingest', {
      dataKey,
      accessLogs,
      allowedOrigins,
      quarantineRetentionDays: config.uploads.quarantineRetentionDays,
    });
    this.archive = new ArchiveBucket(this, 'Archive', {
      dataKey,
      accessLogs,
      defaultRetentionYears: config.archive.defaultRetentionYears,
    });
    this.exports = new ArchiveExports(this, 'Exports', { dataKey, accessLogs });
    this.documents = new DocumentsTable(this, 'Documents', { backupKey: dataKey });
    this.audit = new AuditTable(this, 'Audit', { dataKey, backupPlan: this.documents.backupPlan });
    this.signing = new AgencySigningKeys(this, 'Signing', { config });
    const shared = {
      config,
      functionsRoot,
      ingestBucket: this.ingest.bucket,
      archiveBucket: this.archive.bucket,
      dataKey,
      logsKey,
      table: this.documents.table,
    };
    this.pipeline = new DocumentPipeline(this, 'Pipeline', shared);
    this.signing.allowSigningBy(this.pipeline.functions.SignDocument.role);
    this.trigger = new PipelineTrigger(this, 'Trigger', {
      config,
      functionsRoot,
      ingestBucket: this.ingest.bucket,
      dataKey,
      table: this.documents.table,
      stateMachine: this.pipeline.stateMachine,
      logsKey,
    });
    this.routing = new DossierRouting(this, 'Routing', {
      config,
      functionsRoot,
      table: this.documents.table,
      ingestBucket: this.ingest.bucket,
      logsKey,
    });
    // The receiving unit signs the electronic transfer; any one-stop unit may receive.
    this.signing.allowSigningBy(this.routing.functions.StartRouting.role);
    if (config.portal.endpoint) {
      this.portal = new PortalDelivery(this, 'Portal', {
        config,
        functionsRoot,
        table: this.documents.table,
        ingestBucket: this.ingest.bucket,
        logsKey,
        deadLetterQueue: this.trigger.deadLetterQueue,
      });
    }
    this.sweep = new OverdueSweep(this, 'OverdueSweep', {
      config,
      functionsRoot,
      table: this.documents.table,
      ingestBucket: this.ingest.bucket,
      logsKey,
    });
    this.kpiRollup = new KpiRollup(this, 'KpiRollup', {
      config,
      functionsRoot,
      table: this.documents.table,
      ingestBucket: this.ingest.bucket,
      logsKey,
    });
    this.kpiReports = new KpiReports(this, 'KpiReports', {
      config,
      functionsRoot,
      table: this.documents.table,
      ingestBucket: this.ingest.bucket,
      exportsBucket: this.exports.bucket,
      dataKey,
      logsKey,
    });
    this.api = new BackOfficeApi(this, 'Api', {
      ...shared,
      stateMachine: this.pipeline.stateMachine,
      routing: this.routing,
      allowedOrigins,
      auditTable: this.audit,
    });
    this.anchoring = new AuditAnchoring(this, 'AuditAnchoring', {
      config,
      functionsRoot,
      auditTable: this.audit,
      archiveBucket: this.archive.bucket,
      documentsTable: this.documents.table,
      ingestBucket: this.ingest.bucket,
      dataKey,
      logsKey,
      signing: this.signing,
      deadLetterQueue: this.trigger.deadLetterQueue,
    });
    this.exports.allowExportBy(this.api.handler.role, dataKey);
    this.exports.allowKpiReportsBy(this.api.handler.role, dataKey);
    // The province's key, which signs the audit trail's anchors, signs the export manifests too.
    this.signing.allowSigningWith(provinceSigningAgencyId(config), this.api.handler.role);
    this.api.handler.function.addEnvironment('EXPORTS_BUCKET', this.exports.bucket.bucketName);
    // The API reads the whole archive already; the other signers read the imported certificates only.
    for (const signer of [
      this.pipeline.functions.SignDocument,
      this.routing.functions.StartRouting,
      this.anchoring.anchor,
    ]) {
      allowReadingIssuedCertificates(signer, { bucket: this.archive.bucket, dataKey });
    }
    this.acknowledgeRolePolicies();
    this.addOutputs();
  }

  /**
   * Acknowledges NIST IAMNoInlinePolicy on each AWS::IAM::Policy of the stack that is attached
   * to roles only (CDK grants to one role of this stack, reviewed as code); a policy attached to
   * a user or group, or one added after this point, stays a finding.
   */
  private acknowledgeRolePolicies(): void {
    for (const policy of this.node.findAll()) {
      if (!(policy instanceof CfnPolicy)) continue;
      if (this.resolve(policy.users) !== undefined || this.resolve(policy.groups) !== undefined) continue;
      acknowledgeOnResource(policy, {
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason:
          'This AWS::IAM::Policy is generated by CDK grants for roles of this stack and is reviewed as code; there are no user- or group-attached policies.',
      });
    }
  }

  private addOutputs(): void {
    const outputs: Record<string, string> = {
      ApiUrl: this.api.url,
      UserPoolId: this.api.userPool.userPoolId,
      UserPoolClientId: this.api.client.userPoolClientId,
      IngestBucketName: this.ingest.bucket.bucketName,
      ArchiveBucketName: this.archive.bucket.bucketName,
      ExportsBucketName: this.exports.bucket.bucketName,
      DocumentsTableName: this.documents.table.tableName,
      AuditTableName: this.audit.table.tableName,
      StateMachineArn: this.pipeline.stateMachine.stateMachineArn,
      RoutingStateMachineArn: this.routing.stateMachine.stateMachineArn,
      KpiRollupStateMachineArn: this.kpiRollup.stateMachine.stateMachineArn,
    };
    for (const [id, value] of Object.entries(outputs)) new CfnOutput(this, id, { value });
  }
}
