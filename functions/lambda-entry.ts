import type { Context } from 'aws-lambda';

/**
 * A Lambda entry that builds its handler on the first invocation, for a module that also exports
 * the handler's factory: importing the factory (the embedded runtime, tests) reads no environment.
 */
export function lambdaEntry<Event, Result>(
  create: () => (event: Event, context: Context) => Promise<Result>,
): (event: Event, context: Context) => Promise<Result> {
  let handler: ((event: Event, context: Context) => Promise<Result>) | undefined;
  return (event, context) => {
    handler ??= create();
    return handler(event, context);
  };
}
