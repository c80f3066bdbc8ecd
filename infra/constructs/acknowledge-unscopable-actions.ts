import { Stack } from 'aws-cdk-lib';
import type { CfnPolicy, IRole } from 'aws-cdk-lib/aws-iam';
import { acknowledgeOnResource, defaultPolicyOf } from './acknowledge-on-resource.ts';

/** Actions that IAM only grants on `Resource: *` (they support no resource-level permissions), and why a role has them. */
export interface UnscopableActions {
  readonly actions: readonly string[];
  readonly reason: string;
}

/** X-Ray tracing (what Lambda active tracing and Step Functions tracing add to their roles). */
export const XRAY_TRACING: UnscopableActions = {
  actions: [
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
  ],
  reason:
    'X-Ray tracing: xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets',
};

/** CloudWatch Logs vended log delivery (what Step Functions logging adds to a state machine's role). */
export const LOG_DELIVERY: UnscopableActions = {
  actions: [
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ],
  reason:
    'Step Functions log delivery: logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups',
};

/** The cdk-nag finding of an IAM statement on `Resource: *`. */
export const WILDCARD_RESOURCE_FINDING = 'AwsSolutions-IAM5[Resource::*]';

/**
 * Acknowledges `Resource: *` on the role's default policy only, for the given actions only.
 *
 * cdk-nag names this finding `Resource::*` whatever the actions, so the acknowledgement is
 * scoped twice: it is recorded on the one AWS::IAM::Policy that holds the statements (not on
 * the role, which would cover any policy added to it later), and that policy gets a synth-time
 * check that fails when any statement on `*` allows an action outside `groups`.
 *
 * Call it once the role's statements are added (its DefaultPolicy must exist).
 */
export function acknowledgeUnscopableActions(role: IRole, ...groups: UnscopableActions[]): void {
  const policy = defaultPolicyOf(role);
  if (!policy) {
    throw new Error(`${role.node.path} has no DefaultPolicy yet: acknowledge after its statements are added`);
  }
  const allowed = new Set(groups.flatMap((group) => group.actions));
  acknowledgeOnResource(policy, {
    id: WILDCARD_RESOURCE_FINDING,
    reason: `These actions support no resource-level permissions, so IAM grants them only on "*": ${groups
      .map((group) => group.reason)
      .join('; ')}. A synth-time check on this policy rejects any other action on "*".`,
  });
  policy.node.addValidation({
    validate: () =>
      wildcardActions(policy)
        .filter((action) => !allowed.has(action))
        .map(
          (action) =>
            `${policy.node.path}: ${action} is allowed on Resource "*", but the acknowledgement of ${WILDCARD_RESOURCE_FINDING} on this policy covers only ${[...allowed].join(', ')}`,
        ),
  });
}

/** Actions of the policy's Allow statements whose resources include `*`. */
export function wildcardActions(policy: CfnPolicy): string[] {
  const document = Stack.of(policy).resolve(policy.policyDocument) as { Statement?: PolicyStatementJson[] };
  return (document.Statement ?? [])
    .filter((statement) => statement.Effect === 'Allow' && asList(statement.Resource).includes('*'))
    .flatMap((statement) => asList(statement.Action).map(String));
}

interface PolicyStatementJson {
  Effect?: string;
  Action?: unknown;
  Resource?: unknown;
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
