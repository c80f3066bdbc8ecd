import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  AuthenticationError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '#shared/domain/errors.ts';

/** The API's one response format. */
export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export function errorResponse(
  statusCode: number,
  code: string,
  message: string,
  allowed?: readonly string[],
): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(statusCode, { error: { code, message, ...(allowed ? { allowed } : {}) } });
}

function statusOf(error: DomainError): number {
  if (error instanceof ValidationError) return 400;
  if (error instanceof AuthenticationError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  return 400;
}

/** Maps typed errors to HTTP in one place; anything unexpected is logged and becomes a bare 500. */
export function httpErrors(logger: Logger): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof DomainError) {
        request.response = errorResponse(
          statusOf(error),
          error.code,
          error.message,
          error instanceof ConflictError ? error.allowed : undefined,
        );
        return;
      }
      const routing = error as { statusCode?: number; message?: string } | undefined;
      if (routing?.statusCode === 404 || routing?.statusCode === 405) {
        request.response = errorResponse(routing.statusCode, 'NO_SUCH_ROUTE', 'no such route');
        return;
      }
      logger.error('request failed', error instanceof Error ? error : String(error));
      request.response = errorResponse(500, 'INTERNAL', 'internal error');
    },
  };
}
