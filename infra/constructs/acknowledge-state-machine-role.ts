import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import {
  acknowledgeUnscopableActions,
  LOG_DELIVERY,
  XRAY_TRACING,
} from './acknowledge-unscopable-actions.ts';

/**
 * Acknowledges the `Resource: *` statements that Step Functions logging and tracing add to a
 * state machine's role (log delivery and X-Ray, which support no resource-level permissions),
 * on the role's default policy only and for those actions only.
 */
export function acknowledgeStateMachineRole(stateMachine: StateMachine): void {
  acknowledgeUnscopableActions(stateMachine.role, LOG_DELIVERY, XRAY_TRACING);
}
