import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import {
  createDocumentPipelineSteps,
  type PipelineDependencies,
} from '#shared/use-cases/document-pipeline-steps.ts';
import {
  type AslDefinition,
  buildStateMachineDefinition,
  TRANSIENT_RETRY,
} from '#state-machines/build-state-machine-definition.ts';
import {
  DOCUMENT_PIPELINE_ASL,
  DOCUMENT_PIPELINE_ERROR_POLICY,
  DOCUMENT_PIPELINE_TASKS,
  loadDocumentPipelineDefinition,
} from '#state-machines/document-pipeline-tasks.ts';

const TASK = { entry: 'x', memoryMb: 128, timeoutSeconds: 7 };
const POLICY = {
  final: ['Quarantine.X'],
  catchers: [
    { errors: ['Quarantine.X'], next: 'Quarantine', resultPath: '$.error' },
    { errors: ['States.ALL'], next: 'Stalled', resultPath: '$.error' },
  ],
};
const machine = (states: Record<string, unknown>): AslDefinition => ({
  StartAt: Object.keys(states)[0] ?? '',
  States: {
    ...states,
    Quarantine: { Type: 'Task', Resource: 'q', End: true },
    Stalled: { Type: 'Fail', Error: 'Stalled' },
  },
});

describe('buildStateMachineDefinition', () => {
  it('gives every Task its timeout and the retry policy, and top-level states the catchers', () => {
    const built = buildStateMachineDefinition(
      machine({
        Work: { Type: 'Task', Resource: 'w', Next: 'Pages' },
        Pages: {
          Type: 'Map',
          Iterator: { StartAt: 'Page', States: { Page: { Type: 'Task', Resource: 'p', End: true } } },
          Next: 'Quarantine',
        },
      }),
      { Work: TASK, Page: TASK, Quarantine: TASK },
      POLICY,
    );
    const work = built.States.Work;
    expect(work?.TimeoutSeconds).toBe(7);
    expect(work?.Retry).toEqual([{ ErrorEquals: ['Quarantine.X'], MaxAttempts: 0 }, TRANSIENT_RETRY]);
    expect(work?.Catch).toEqual([
      { ErrorEquals: ['Quarantine.X'], ResultPath: '$.error', Next: 'Quarantine' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Stalled' },
    ]);
    // A state inside a Map is caught by the Map; a catcher never sends a state to itself.
    expect(built.States.Pages?.Iterator?.States.Page?.Catch).toBeUndefined();
    expect(built.States.Pages?.Catch).toHaveLength(2);
    expect(built.States.Quarantine?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Stalled' },
    ]);
  });

  it('fails when the ASL and the task table disagree', () => {
    const asl = machine({ Work: { Type: 'Task', Resource: 'w', Next: 'Quarantine' } });
    expect(() => buildStateMachineDefinition(asl, { Quarantine: TASK }, POLICY)).toThrow(
      /Task state Work is not in the workflow's task table/,
    );
    expect(() =>
      buildStateMachineDefinition(asl, { Work: TASK, Quarantine: TASK, Gone: TASK }, POLICY),
    ).toThrow(/task table entries without a Task state: Gone/);
  });

  it('refuses a state that declares its own Retry or Catch, so the policy is written once', () => {
    const retrying = machine({ Work: { Type: 'Task', Resource: 'w', Retry: [], Next: 'Quarantine' } });
    expect(() => buildStateMachineDefinition(retrying, { Work: TASK, Quarantine: TASK }, POLICY)).toThrow(
      /declares Retry/,
    );
    const catching = machine({ Work: { Type: 'Task', Resource: 'w', Catch: [], Next: 'Quarantine' } });
    expect(() => buildStateMachineDefinition(catching, { Work: TASK, Quarantine: TASK }, POLICY)).toThrow(
      /declares Catch/,
    );
  });
});

describe('the document pipeline task table', () => {
  it('matches the Task states of document-pipeline.asl.json', () => {
    const asl = readFileSync(DOCUMENT_PIPELINE_ASL, 'utf8');
    const resources = [...asl.matchAll(/\$\{(\w+)FunctionArn\}/g)].map((match) => match[1]);
    expect([...new Set(resources)].sort()).toEqual(Object.keys(DOCUMENT_PIPELINE_TASKS).sort());
    expect(() => loadDocumentPipelineDefinition()).not.toThrow();
    expect(DOCUMENT_PIPELINE_ERROR_POLICY.final).toContain('Quarantine.TOO_LARGE');
  });

  it('names a Lambda entry file for each task that runs that task', () => {
    for (const [task, { entry }] of Object.entries(DOCUMENT_PIPELINE_TASKS)) {
      const file = new URL(`../../../functions/pipeline/${entry}.ts`, import.meta.url);
      expect(existsSync(file), `${entry}.ts`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${entry}.ts`).toContain(`'${task}'`);
    }
  });

  it('has a pipeline step for each task', () => {
    const steps = createDocumentPipelineSteps({
      config: loadProvinceConfig('config/provinces/sample-province.yaml'),
    } as PipelineDependencies);
    for (const task of Object.keys(DOCUMENT_PIPELINE_TASKS)) {
      const step = `${task[0]?.toLowerCase()}${task.slice(1)}`;
      expect(typeof (steps as Record<string, unknown>)[step], step).toBe('function');
    }
  });
});
