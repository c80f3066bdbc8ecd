import { App, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { acknowledgeFunctionTracing } from '#infra/constructs/acknowledge-function-tracing.ts';
import { acknowledgeStateMachineRole } from '#infra/constructs/acknowledge-state-machine-role.ts';
import {
  acknowledgeUnscopableActions,
  WILDCARD_RESOURCE_FINDING,
  XRAY_TRACING,
} from '#infra/constructs/acknowledge-unscopable-actions.ts';

function stateMachineStack() {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'ap-southeast-1' } });
  const stateMachine = new StateMachine(stack, 'Machine', {
    definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Done')),
    logs: { destination: new LogGroup(stack, 'Logs'), level: LogLevel.ALL },
    tracingEnabled: true,
  });
  return { app, stateMachine };
}

const wildcardFindings = (app: App) =>
  new AwsSolutionsChecks()
    .validateScope(app)
    .violations.filter((violation) => violation.ruleName === WILDCARD_RESOURCE_FINDING)
    .flatMap((violation) => violation.violatingResources.map((resource) => resource.constructPath));

const acknowledgedOn = (construct: IConstruct) =>
  construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as object));

describe('acknowledgeStateMachineRole', () => {
  it("acknowledges log delivery and X-Ray on '*' on the role's default policy, not on the role", () => {
    const { app, stateMachine } = stateMachineStack();
    expect(wildcardFindings(app)).toEqual(['Test/Machine/Role/DefaultPolicy/Resource']);
    acknowledgeStateMachineRole(stateMachine);
    expect(wildcardFindings(app)).toEqual([]);
    expect(acknowledgedOn(stateMachine.role)).toEqual([]);
    const policy = stateMachine.role.node.findChild('DefaultPolicy').node.defaultChild as IConstruct;
    expect(acknowledgedOn(policy).some((id) => id.endsWith(WILDCARD_RESOURCE_FINDING))).toBe(true);
    expect(() => app.synth()).not.toThrow();
  });

  it("fails synth when the role is later given any other action on '*'", () => {
    const { app, stateMachine } = stateMachineStack();
    acknowledgeStateMachineRole(stateMachine);
    stateMachine.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/s3:GetObject is allowed on Resource "\*"/);
  });
});

describe('acknowledgeFunctionTracing', () => {
  it("acknowledges only the X-Ray actions of active tracing on '*'", () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'ap-southeast-1' } });
    const fn = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => {};'),
      tracing: Tracing.ACTIVE,
    });
    const role = fn.role as Role;
    expect(wildcardFindings(app)).toEqual(['Test/Fn/ServiceRole/DefaultPolicy/Resource']);
    acknowledgeFunctionTracing(role);
    expect(wildcardFindings(app)).toEqual([]);
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/logs:DescribeLogGroups is allowed on Resource "\*"/);
  });
});

describe('acknowledgeUnscopableActions', () => {
  it('refuses a role that has no statements yet', () => {
    const stack = new Stack(new App(), 'Empty');
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    expect(() => acknowledgeUnscopableActions(role, XRAY_TRACING)).toThrow(/no DefaultPolicy yet/);
  });
});
