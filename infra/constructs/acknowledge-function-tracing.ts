import type { IRole } from 'aws-cdk-lib/aws-iam';
import { acknowledgeUnscopableActions, XRAY_TRACING } from './acknowledge-unscopable-actions.ts';

/**
 * Acknowledges the `Resource: *` statement that Lambda active tracing adds to a function's
 * role (xray:PutTraceSegments, PutTelemetryRecords), on the role's default policy only and for
 * the X-Ray actions only. Call it after the function is created.
 */
export function acknowledgeFunctionTracing(role: IRole): void {
  acknowledgeUnscopableActions(role, XRAY_TRACING);
}
