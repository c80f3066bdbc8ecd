import { StateMachine } from 'aws-local-stepfunctions';
import { loadAslDefinition } from '#infra/local/local-step-functions.ts';

/** A stubbed Task: what the task returns (or throws) for its input. */
export type TaskStub = (input: Record<string, unknown>) => unknown;

/**
 * Runs a real state machine definition with every Task state answered by its stub (retries wait
 * 1 ms): the tasks in the order they ran with their inputs, and the output or the failure.
 */
export async function runWithStubbedTasks<Task extends string>(
  aslDefinition: string | object,
  stubs: Record<Task, TaskStub>,
  input: Record<string, unknown>,
) {
  const calls: { task: Task; input: Record<string, unknown> }[] = [];
  const tasks = Object.keys(stubs) as Task[];
  const handlers = Object.fromEntries(
    tasks.map((task) => [
      task,
      async (event: unknown) => {
        calls.push({ task, input: event as Record<string, unknown> });
        return stubs[task](event as Record<string, unknown>);
      },
    ]),
  );
  const definition = loadAslDefinition(aslDefinition, { region: 'ap-southeast-1' });
  const execution = new StateMachine(definition).run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: Object.fromEntries(tasks.map((task) => [task, 1])),
    },
  });
  let output: unknown;
  let failure: unknown;
  try {
    output = await execution.result;
  } catch (error) {
    failure = error;
  }
  return { tasks: calls.map((call) => call.task), calls, output, failure };
}
