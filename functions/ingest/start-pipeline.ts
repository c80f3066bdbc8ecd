import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { UploadedObject } from '#shared/use-cases/start-document-pipeline.ts';
import { logErrors } from '../log-errors.ts';
import { dependencies } from '../wire-dependencies.ts';

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

/** Starts one pipeline execution per uploaded object; failed messages return to the queue. */
export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(logErrors('start-pipeline'))
  .handler(async (event) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const outcome = await dependencies().startDocumentPipeline(uploadedObjectFrom(record.body));
        console.info(JSON.stringify({ level: 'info', messageId: record.messageId, ...outcome }));
      } catch (error) {
        console.error(
          JSON.stringify({ level: 'error', messageId: record.messageId, message: (error as Error).message }),
        );
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  });
