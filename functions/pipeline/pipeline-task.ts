import middy from '@middy/core';
import type { DocumentPipelineSteps } from '#shared/use-cases/document-pipeline-steps.ts';
import { logErrors } from '../log-errors.ts';
import { pipelineSteps } from './wire-pipeline.ts';

/**
 * A Lambda handler for one Task state of the document pipeline. The state's input is the
 * step's input; what the step returns goes to the state's ResultPath.
 */
export function pipelineTask<K extends keyof DocumentPipelineSteps>(step: K) {
  type Input = Parameters<DocumentPipelineSteps[K]>[0];
  type Output = Awaited<ReturnType<DocumentPipelineSteps[K]>>;
  const run = (event: Input): Promise<Output> => {
    const fn = pipelineSteps()[step] as (input: Input) => Promise<Output>;
    return fn(event);
  };
  return middy<Input, Output>({ timeoutEarlyInMillis: 0 }).use(logErrors(step)).handler(run);
}
