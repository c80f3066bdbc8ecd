import type { MiddlewareObj } from '@middy/core';
import { QuarantineError } from '#shared/domain/errors.ts';

/**
 * Writes one structured line per failed invocation; the error itself still propagates. A
 * quarantined upload is an expected outcome, logged as a warning with its reason.
 */
export function logErrors(functionName: string): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      const quarantined = error instanceof QuarantineError;
      const line = JSON.stringify({
        level: quarantined ? 'warn' : 'error',
        function: functionName,
        error: error?.name,
        ...(quarantined ? { reason: error.code } : {}),
        message: error?.message,
      });
      if (quarantined) console.warn(line);
      else console.error(line);
    },
  };
}
