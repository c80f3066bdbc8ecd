import { ExecutionError } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { QuarantineError, SupersededRunError } from '#shared/domain/errors.ts';
import { TRANSIENT_RETRY } from '#state-machines/build-state-machine-definition.ts';
import {
  type DocumentPipelineTask,
  loadDocumentPipelineDefinition,
} from '#state-machines/document-pipeline-tasks.ts';
import { runWithStubbedTasks, type TaskStub } from '#test/support/run-stubbed-state-machine.ts';

/** Every task succeeds as on a clean one-page scan unless a test replaces it. */
const HAPPY: Record<DocumentPipelineTask, TaskStub> = {
  ClaimDocument: () => ({ resumeAt: 'ValidateUpload' }),
  ValidateUpload: () => ({ mediaType: 'image/jpeg', pageCount: 1 }),
  PreparePages: () => ({ pages: [{ pageNumber: 1 }, { pageNumber: 2 }] }),
  OcrPage: (page) => ({ pageNumber: page.pageNumber, confidence: 0.9 }),
  ClassifyDocument: () => ({ needsReview: false, docType: 'KS', ownerId: '038319001234' }),
  AwaitReview: () => ({ status: 'NEEDS_REVIEW' }),
  AssignCode: () => ({ code: '038319001234.KS.01' }),
  SignDocument: () => ({ signedKey: 'work/d/signed.pdf' }),
  ArchiveDocument: () => ({ code: '038319001234.KS.01' }),
  QuarantineDocument: (input) => ({ status: 'QUARANTINED', error: input.error }),
};

/** Runs the real pipeline definition with stubbed tasks and returns the tasks in the order they ran. */
const run = (overrides: Partial<Record<DocumentPipelineTask, TaskStub>> = {}) =>
  runWithStubbedTasks(
    loadDocumentPipelineDefinition(),
    { ...HAPPY, ...overrides },
    { bucket: 'ingest', key: 'incoming/a/_/_/d', documentId: 'd', runId: 'run-1' },
  );

const failing = (error: Error, times = Number.POSITIVE_INFINITY): TaskStub => {
  let failures = 0;
  return (input) => {
    if (failures++ < times) throw error;
    return HAPPY.ValidateUpload(input);
  };
};

describe('document pipeline flow (the ASL with stubbed tasks)', () => {
  it('claims, reads, codes, signs and archives a clean scan, one OCR task per page', async () => {
    const { tasks, output } = await run();
    expect(tasks).toEqual([
      'ClaimDocument',
      'ValidateUpload',
      'PreparePages',
      'OcrPage',
      'OcrPage',
      'ClassifyDocument',
      'AssignCode',
      'SignDocument',
      'ArchiveDocument',
    ]);
    expect(output).toMatchObject({
      archived: { code: '038319001234.KS.01' },
      claim: { resumeAt: 'ValidateUpload' },
    });
  });

  it('stops at AwaitReview when the classifier is unsure', async () => {
    const { tasks } = await run({ ClassifyDocument: () => ({ needsReview: true }) });
    expect(tasks.slice(-2)).toEqual(['ClassifyDocument', 'AwaitReview']);
    expect(tasks).not.toContain('AssignCode');
  });

  it('resumes at AssignCode when the claim finds the type and owner settled and the work files there', async () => {
    const { tasks } = await run({ ClaimDocument: () => ({ resumeAt: 'AssignCode' }) });
    expect(tasks).toEqual(['ClaimDocument', 'AssignCode', 'SignDocument', 'ArchiveDocument']);
  });

  it('quarantines on a quarantine error at once, the reason in the error name', async () => {
    const { tasks, calls } = await run({
      ValidateUpload: failing(new QuarantineError('CORRUPT_FILE', 'cut in half')),
    });
    expect(tasks).toEqual(['ClaimDocument', 'ValidateUpload', 'QuarantineDocument']);
    expect(calls.at(-1)?.input.error).toMatchObject({ Error: 'Quarantine.CORRUPT_FILE' });
  });

  it('quarantines a quarantine error raised by one OCR page', async () => {
    const { tasks, calls } = await run({
      OcrPage: () => {
        throw new QuarantineError('TOO_MANY_PIXELS', 'huge');
      },
    });
    expect(tasks.at(-1)).toBe('QuarantineDocument');
    expect(calls.at(-1)?.input.error).toMatchObject({ Error: 'Quarantine.TOO_MANY_PIXELS' });
  });

  it('retries a transient fault (a throttle) and carries on', async () => {
    const throttle = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const { tasks } = await run({ ValidateUpload: failing(throttle, 2) });
    expect(tasks.filter((task) => task === 'ValidateUpload')).toHaveLength(3);
    expect(tasks).not.toContain('QuarantineDocument');
    expect(tasks.at(-1)).toBe('ArchiveDocument');
  });

  it('stops in Stalled, never in quarantine, when a step keeps failing: the reconciler resumes it', async () => {
    const outage = Object.assign(new Error('KMS is unavailable'), { name: 'KMSInternalException' });
    const { tasks, failure } = await run({ ArchiveDocument: failing(outage) });
    expect(tasks.filter((task) => task === 'ArchiveDocument')).toHaveLength(TRANSIENT_RETRY.MaxAttempts + 1);
    expect(tasks).not.toContain('QuarantineDocument');
    expect(failure).toBeInstanceOf(ExecutionError);
    expect(((failure as ExecutionError).cause as Error).name).toBe('Pipeline.Stalled');
  });

  it('ends quietly, touching nothing else, when another run owns the document', async () => {
    const { tasks, failure } = await run({
      ClaimDocument: () => {
        throw new SupersededRunError('owned by run-0');
      },
    });
    expect(tasks).toEqual(['ClaimDocument']);
    expect(failure).toBeUndefined();
  });
});
