import { handler as archiveDocument } from './archive-document.ts';
import { handler as assignCode } from './assign-code.ts';
import { handler as awaitReview } from './await-review.ts';
import { handler as classifyDocument } from './classify-document.ts';
import { handler as ocrPage } from './ocr-page.ts';
import { handler as preparePages } from './prepare-pages.ts';
import { handler as quarantineDocument } from './quarantine-document.ts';
import { handler as signDocument } from './sign-document.ts';
import { handler as validateUpload } from './validate-upload.ts';

export { closePipeline } from './wire-pipeline.ts';

type TaskHandler = (event: unknown) => Promise<unknown>;
const asTask = (handler: unknown): TaskHandler => {
  const fn = handler as (event: unknown, context: unknown) => Promise<unknown>;
  return (event) => fn(event, {});
};

/** The pipeline's handlers keyed by the Task state names of document-pipeline.asl.json. */
export const pipelineTaskHandlers: Record<string, TaskHandler> = {
  ValidateUpload: asTask(validateUpload),
  PreparePages: asTask(preparePages),
  OcrPage: asTask(ocrPage),
  ClassifyDocument: asTask(classifyDocument),
  AwaitReview: asTask(awaitReview),
  AssignCode: asTask(assignCode),
  SignDocument: asTask(signDocument),
  ArchiveDocument: asTask(archiveDocument),
  QuarantineDocument: asTask(quarantineDocument),
};
