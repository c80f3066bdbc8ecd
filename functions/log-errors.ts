import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import { QuarantineError, SupersededRunError } from '#shared/domain/errors.ts';

/**
 * Writes one structured line per failed invocation; the error itself still propagates. A
 * quarantined upload is an expected outcome, logged as a warning with its reason; a run that
 * lost its document to another ends quietly.
 */
export function logErrors(logger: Logger): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof QuarantineError) {
        logger.warn({ message: 'upload quarantined', reason: error.code, detail: error.detail });
      } else if (error instanceof SupersededRunError) {
        logger.info({ message: 'run superseded', detail: error.message });
      } else if (error) {
        logger.error('invocation failed', error);
      }
    },
  };
}
