import { type Acknowledgment, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct, type IConstruct } from 'constructs';

/** The CloudFormation resource a construct stands for: itself when it is one, else its default child. */
export function cfnResourceOf(construct: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(construct)) return construct;
  const child = construct.node.defaultChild;
  if (child && CfnResource.isCfnResource(child)) return child;
  throw new Error(`${construct.node.path} stands for no single CloudFormation resource`);
}

/**
 * Records cdk-nag acknowledgements on exactly the CloudFormation resource `construct` stands
 * for (its L1), never on a scope: cdk-nag honours an acknowledgement on any ancestor, so one
 * on an L2, a role or the stack would also cover every resource added under it later.
 */
export function acknowledgeOnResource(construct: IConstruct, ...rules: Acknowledgment[]): void {
  Validations.of(cfnResourceOf(construct)).acknowledge(...rules);
}

/**
 * The AWS::IAM::Policy that `addToPrincipalPolicy` puts a role's statements in (its
 * DefaultPolicy), or undefined while it has none or for a principal that is not a construct here.
 */
export function defaultPolicyOf(principal: unknown): CfnPolicy | undefined {
  if (!Construct.isConstruct(principal)) return undefined;
  const policy = principal.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  return policy instanceof CfnPolicy ? policy : undefined;
}

/**
 * Acknowledges the AwsSolutions-IAM5 finding of one wildcard resource (an ARN ending in `*`) on
 * the role's DefaultPolicy, with the finding id cdk-nag derives from that very resource. For
 * `Resource: *` use acknowledgeUnscopableActions, which also limits the actions.
 */
export function acknowledgeWildcardResource(role: IConstruct, resource: string, reason: string): void {
  const policy = defaultPolicyOf(role);
  if (!policy) throw new Error(`${role.node.path} has no DefaultPolicy: grant ${resource} first`);
  const flattened = flattenCfnReference(Stack.of(policy).resolve(resource));
  if (flattened === '*') throw new Error('Resource "*" is acknowledged with acknowledgeUnscopableActions');
  acknowledgeOnResource(policy, { id: `AwsSolutions-IAM5[Resource::${flattened}]`, reason });
}
