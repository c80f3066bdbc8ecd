import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * A Lambda function's environment, as the Lambda entries read it (and only they): the variables
 * the stack sets, and the province configuration and national calendars that MotcuaFunction
 * compiles into the bundle (esbuild replaces the literals `process.env.MOTCUA_PROVINCE_CONFIG` and
 * `process.env.MOTCUA_NATIONAL_CALENDARS`; elsewhere they are variables).
 */
export function lambdaEnvironment(): Readonly<Record<string, string | undefined>> {
  return {
    ...process.env,
    MOTCUA_PROVINCE_CONFIG: process.env.MOTCUA_PROVINCE_CONFIG,
    MOTCUA_NATIONAL_CALENDARS: process.env.MOTCUA_NATIONAL_CALENDARS,
  };
}

/**
 * Powertools' Tracer, loaded inside Lambda only (`AWS_LAMBDA_FUNCTION_NAME`, which the Lambda
 * service sets): importing it loads the X-Ray SDK, whose cls-hooked namespace turns on an async
 * hook for every promise of the process. The embedded runtime and the tests never load it.
 */
export const lambdaTracer: typeof Tracer | undefined = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? (await import('@aws-lambda-powertools/tracer')).Tracer
  : undefined;
