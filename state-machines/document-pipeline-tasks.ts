import { readFileSync } from 'node:fs';
import { QUARANTINE_ERROR_NAMES } from '#shared/domain/errors.ts';
import { type AslDefinition, buildStateMachineDefinition } from './build-state-machine-definition.ts';

/**
 * The document pipeline's Task states: one table that the ASL (through
 * {@link buildStateMachineDefinition}), the CDK construct, the Lambda entry files and the embedded
 * runtime's bindings all read. `document-pipeline.asl.json` stays the definition of the flow.
 */
export const DOCUMENT_PIPELINE_TASKS = {
  ClaimDocument: { entry: 'claim-document', memoryMb: 256, timeoutSeconds: 30 },
  ValidateUpload: { entry: 'validate-upload', memoryMb: 1024, timeoutSeconds: 120 },
  PreparePages: { entry: 'prepare-pages', memoryMb: 3008, timeoutSeconds: 300 },
  OcrPage: { entry: 'ocr-page', memoryMb: 3008, timeoutSeconds: 300, runsOcr: true },
  ClassifyDocument: { entry: 'classify-document', memoryMb: 512, timeoutSeconds: 60 },
  AwaitReview: { entry: 'await-review', memoryMb: 256, timeoutSeconds: 30 },
  AssignCode: { entry: 'assign-code', memoryMb: 256, timeoutSeconds: 30 },
  SignDocument: { entry: 'sign-document', memoryMb: 1024, timeoutSeconds: 300 },
  ArchiveDocument: { entry: 'archive-document', memoryMb: 512, timeoutSeconds: 120 },
  QuarantineDocument: { entry: 'quarantine-document', memoryMb: 256, timeoutSeconds: 60 },
} as const satisfies Record<string, WorkflowTask>;

export type DocumentPipelineTask = keyof typeof DOCUMENT_PIPELINE_TASKS;

/** One Task state: its handler file under functions/{workflow}/, its Lambda sizing and timeout. */
export interface WorkflowTask {
  /** Handler file name without extension, e.g. `validate-upload`. */
  readonly entry: string;
  readonly memoryMb: number;
  /** The Task state's TimeoutSeconds and the function's timeout. */
  readonly timeoutSeconds: number;
  /**
   * The handler calls the OCR engine: in AWS its function is the native-Tesseract container image
   * when the province's engine can use it (infra/constructs/native-ocr-image.ts).
   * @default false
   */
  readonly runsOcr?: boolean;
}

/** The error a run ends with when it does not own its document; it ends quietly. */
export const SUPERSEDED_ERROR = 'Pipeline.Superseded';

/**
 * Quarantine errors go to QuarantineDocument, a run that lost its document ends in Superseded,
 * and anything still failing after the transient retries stops the run in Stalled: the document
 * keeps its state and the reconciler resumes it, so a fault outside the paper never quarantines it.
 */
export const DOCUMENT_PIPELINE_ERROR_POLICY = {
  final: [...QUARANTINE_ERROR_NAMES, SUPERSEDED_ERROR],
  catchers: [
    { errors: QUARANTINE_ERROR_NAMES, next: 'QuarantineDocument', resultPath: '$.error' },
    { errors: [SUPERSEDED_ERROR], next: 'Superseded', resultPath: '$.error' },
    { errors: ['States.ALL'], next: 'Stalled', resultPath: '$.error' },
  ],
};

export const DOCUMENT_PIPELINE_NAME = 'document-pipeline';
export const DOCUMENT_PIPELINE_ASL = new URL('./document-pipeline.asl.json', import.meta.url);

/** The document pipeline's complete definition, `${…FunctionArn}` placeholders left for the runtime. */
export function loadDocumentPipelineDefinition(): AslDefinition {
  const asl = JSON.parse(readFileSync(DOCUMENT_PIPELINE_ASL, 'utf8')) as AslDefinition;
  return buildStateMachineDefinition(asl, DOCUMENT_PIPELINE_TASKS, DOCUMENT_PIPELINE_ERROR_POLICY);
}
