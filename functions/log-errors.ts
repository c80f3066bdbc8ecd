import type { MiddlewareObj } from '@middy/core';

/** Writes one structured line per failed invocation; the error itself still propagates. */
export function logErrors(functionName: string): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      console.error(
        JSON.stringify({
          level: 'error',
          function: functionName,
          error: error?.name,
          message: error?.message,
        }),
      );
    },
  };
}
