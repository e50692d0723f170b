// The one way a zod failure becomes words: field paths joined with dots ("(root)" for the whole
// value), each with its message. The API, config.json, policy documents and events all use it.
import type { ZodError } from 'zod';

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export function fieldIssues(error: Pick<ZodError, 'issues'>, root = '(root)'): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || root, message: issue.message }));
}

/** "a.b: message; c: message", optionally with each path prefixed (e.g. the file name). */
export function formatZodIssues(error: Pick<ZodError, 'issues'>, options: { prefix?: string; root?: string } = {}): string {
  const prefix = options.prefix ? `${options.prefix}: ` : '';
  return fieldIssues(error, options.root).map((i) => `${prefix}${i.path}: ${i.message}`).join('; ');
}
