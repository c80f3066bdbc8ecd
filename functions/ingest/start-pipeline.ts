import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { UploadedObject } from '#shared/use-cases/start-document-pipeline.ts';
import { type Container, containerFromEnvironment } from '../container.ts';
import { lambdaEntry } from '../lambda-entry.ts';
import { logErrors } from '../log-errors.ts';
import { observeInvocation } from '../observe-invocation.ts';

/** An EventBridge "Object Created" event from S3, as delivered through SQS. */
interface ObjectCreatedEvent {
  detail?: {
    bucket?: { name?: string };
    object?: { key?: string; size?: number; etag?: string; 'version-id'?: string };
  };
}

function uploadedObjectFrom(body: string): UploadedObject {
  const event = JSON.parse(body) as ObjectCreatedEvent;
  const bucket = event.detail?.bucket?.name;
  const key = event.detail?.object?.key;
  if (!bucket || !key) throw new Error('message is not an S3 Object Created event');
  return {
    bucket,
    key,
    size: event.detail?.object?.size,
    etag: event.detail?.object?.etag,
    versionId: event.detail?.object?.['version-id'],
  };
}

/**
 * Starts one pipeline execution per uploaded object (Powertools' partial batch response): a
 * message that fails is reported in `batchItemFailures` and returns to the queue, the others are
 * done. Messages go one at a time, each with its SQS message id as the correlation id.
 */
export function createStartPipelineHandler(container: Container) {
  const logger = container.observability.logger.createChild();
  const startOne = async (record: SQSRecord) => {
    logger.setCorrelationId(record.messageId);
    try {
      const outcome = await container.startDocumentPipeline(uploadedObjectFrom(record.body));
      logger.info({ message: 'upload handled', ...outcome });
      return outcome;
    } catch (error) {
      logger.error('message failed: it returns to the queue', error as Error);
      throw error;
    }
  };
  return middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
    .use(observeInvocation<SQSEvent>(container.observability, logger))
    .use(logErrors(logger))
    .handler((event: SQSEvent, context: Context) =>
      // A processor holds the batch it works on: one per invocation.
      processPartialResponse(event, startOne, new BatchProcessor(EventType.SQS), {
        context,
        processInParallel: false,
        // Every message failing is still a partial response: the queue retries each, as for one.
        throwOnFullBatchFailure: false,
      }),
    );
}

/** The Lambda entry: its container comes from the function's environment, on the first batch. */
export const handler = lambdaEntry(() => createStartPipelineHandler(containerFromEnvironment()));
