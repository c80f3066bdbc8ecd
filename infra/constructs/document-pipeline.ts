import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  DOCUMENT_PIPELINE_TASKS,
  type DocumentPipelineTask,
  loadDocumentPipelineDefinition,
  type WorkflowTask,
} from '#state-machines/document-pipeline-tasks.ts';
import { grantObjects, grantTableItems } from './grant-access.ts';
import { INGEST_PREFIXES } from './ingest-bucket.ts';
import { MotcuaFunction } from './motcua-function.ts';
import { runsNativeTesseract } from './native-ocr-image.ts';
import type { ProvinceResources } from './province-resources.ts';
import { createTaskStateMachine } from './task-state-machine.ts';

export interface DocumentPipelineProps extends ProvinceResources {
  /** @default 2 */
  readonly ocrWorkers?: number;
}

/**
 * The document pipeline: one function per entry of the task table (sized from it) with
 * least-privilege grants, and the STANDARD state machine from `document-pipeline.asl.json`
 * completed with the table's timeouts and error policy (logging ALL, X-Ray). The tasks that OCR
 * run native Tesseract from the OCR container image, unless the province chose an engine that
 * does not (tesseract-wasm, textract).
 */
export class DocumentPipeline extends Construct {
  readonly functions: Record<DocumentPipelineTask, MotcuaFunction>;
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: DocumentPipelineProps) {
    super(scope, id);
    // The sign function finds each agency's key by its alias (signingKeyAlias); only it may use them.
    const environment = {
      INGEST_BUCKET: props.ingestBucket.bucketName,
      ARCHIVE_BUCKET: props.archiveBucket.bucketName,
      DOCUMENTS_TABLE: props.table.tableName,
      SIGNER: 'kms',
      OCR_WORKERS: String(props.ocrWorkers ?? 2),
    };
    // Only the signing function calls the province's time-stamping authority (over HTTPS, no IAM).
    const timestampAuthority = props.config.signing.timestampAuthority?.url;
    const environmentOf = (task: DocumentPipelineTask) =>
      task === 'SignDocument' && timestampAuthority
        ? { ...environment, TIMESTAMP_AUTHORITY_URL: timestampAuthority }
        : environment;
    const nativeOcr = runsNativeTesseract(props.config.ocr.engine);
    const make = (task: DocumentPipelineTask) => {
      const { entry, memoryMb, timeoutSeconds, runsOcr }: WorkflowTask = DOCUMENT_PIPELINE_TASKS[task];
      return new MotcuaFunction(this, task, {
        entry: join(props.functionsRoot, 'pipeline', `${entry}.ts`),
        description: `motcua ${props.config.province.slug}: document pipeline task ${task}`,
        config: props.config,
        logsKey: props.logsKey,
        environment: environmentOf(task),
        memorySize: memoryMb,
        // The Task state times out first, so a function never outlives the state waiting for it.
        timeout: Duration.seconds(timeoutSeconds),
        packaging: runsOcr && nativeOcr ? 'native-ocr-image' : 'zip',
      });
    };
    this.functions = Object.fromEntries(
      (Object.keys(DOCUMENT_PIPELINE_TASKS) as DocumentPipelineTask[]).map((task) => [task, make(task)]),
    ) as Record<DocumentPipelineTask, MotcuaFunction>;
    this.grant(props);
    this.stateMachine = this.createStateMachine(props);
  }

  private grant(props: DocumentPipelineProps): void {
    const { incoming, work } = INGEST_PREFIXES;
    const ingest = (fn: MotcuaFunction, grant: { read?: string[]; write?: string[]; tag?: string[] }) =>
      grantObjects(fn.role, fn.role, { bucket: props.ingestBucket, key: props.dataKey, ...grant });
    const f = this.functions;
    ingest(f.ClaimDocument, { read: [work] });
    ingest(f.ValidateUpload, { read: [incoming] });
    ingest(f.PreparePages, { read: [incoming], write: [work] });
    ingest(f.OcrPage, { read: [incoming, work], write: [work] });
    ingest(f.ClassifyDocument, { read: [work] });
    ingest(f.SignDocument, { read: [work], write: [work] });
    ingest(f.ArchiveDocument, { read: [incoming, work], tag: [incoming] });
    ingest(f.QuarantineDocument, { read: [incoming], tag: [incoming] });
    // Read to find a copy a half-finished run already locked, which is kept rather than written twice.
    grantObjects(f.ArchiveDocument.role, f.ArchiveDocument.role, {
      bucket: props.archiveBucket,
      key: props.dataKey,
      read: [''],
      write: [''],
      extraWriteActions: ['s3:PutObjectRetention'],
    });
    for (const task of Object.keys(DOCUMENT_PIPELINE_TASKS) as DocumentPipelineTask[]) {
      if (task === 'OcrPage') continue;
      grantTableItems(f[task].role, props.table, 'readWrite');
    }
  }

  private createStateMachine(props: DocumentPipelineProps): StateMachine {
    return createTaskStateMachine(this, {
      stateMachineName: `motcua-${props.config.province.slug}-document-pipeline`,
      definition: loadDocumentPipelineDefinition(),
      functions: this.functions,
      logsKey: props.logsKey,
    });
  }
}
