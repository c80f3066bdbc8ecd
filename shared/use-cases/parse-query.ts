import type { z } from 'zod';
import { ValidationError } from '#shared/domain/errors.ts';

/**
 * Parses a query (a query string, or a body of search criteria) with `schema`; the first issue
 * becomes a ValidationError whose code names the field (`INVALID_DUE_AFTER`), `UNKNOWN_PARAMETER`,
 * or the code a refinement gives.
 */
export function parseQuery<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field =
    issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : String(issue?.path[0] ?? 'query');
  const named = issue?.code === 'custom' ? (issue.params as { code?: string } | undefined)?.code : undefined;
  const code =
    named ??
    (issue?.code === 'unrecognized_keys'
      ? 'UNKNOWN_PARAMETER'
      : `INVALID_${field.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`);
  throw new ValidationError(code, `${field}: ${issue?.message ?? 'invalid'}`);
}
