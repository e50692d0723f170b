// Validation of a policy document with field-level messages (`policy validate`, the managed file,
// org documents).
import { PolicyDocumentSchema, type PolicyDocument } from '../../shared/policy.ts';
import { fieldIssues, type FieldIssue } from '../base/zod-issues.ts';

export { fieldIssues, formatZodIssues, type FieldIssue } from '../base/zod-issues.ts';

export type ValidationResult = { ok: true; policy: PolicyDocument } | { ok: false; issues: FieldIssue[] };

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
