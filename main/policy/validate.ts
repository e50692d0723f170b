// Validation of a policy document with field-level messages (`policy validate`, the managed file,
// org documents).
import type { ZodError } from 'zod';
import { PolicyDocumentSchema, type PolicyDocument } from '../../shared/policy.ts';

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult = { ok: true; policy: PolicyDocument } | { ok: false; issues: FieldIssue[] };

export function fieldIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
}

export function formatZodIssues(error: ZodError): string {
  return fieldIssues(error).map((i) => `${i.path}: ${i.message}`).join('; ');
}

export function validatePolicyText(text: string): ValidationResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ path: '(root)', message: `invalid JSON: ${(error as Error).message}` }] };
  }
  const parsed = PolicyDocumentSchema.safeParse(raw);
  return parsed.success ? { ok: true, policy: parsed.data } : { ok: false, issues: fieldIssues(parsed.error) };
}
