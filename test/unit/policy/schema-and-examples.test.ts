import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyDocumentSchema, SignedPolicyEnvelopeSchema } from '../../../shared/policy.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';
import { POLICY_SCHEMA_FILE, policyJsonSchemaText } from '../../../main/policy/json-schema.ts';
import { validatePolicyText } from '../../../main/policy/validate.ts';

const examplesDir = path.join(path.dirname(POLICY_SCHEMA_FILE), 'examples');

describe('policy JSON Schema for IT', () => {
  it('the committed resources/policy.schema.json equals the one generated from the zod schema', () => {
    expect(readFileSync(POLICY_SCHEMA_FILE, 'utf8')).toBe(policyJsonSchemaText());
  });

  it('every example policy validates (the envelope example wraps a valid policy)', () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const raw = JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8'));
      const doc = file.includes('envelope') ? SignedPolicyEnvelopeSchema.parse(raw).policy : raw;
      const result = PolicyDocumentSchema.safeParse(doc);
      expect(result.success, `${file}: ${result.error?.message}`).toBe(true);
    }
  });

  it('no shipped example keys a rule on server ids only (a renamed server would escape it)', () => {
    for (const file of readdirSync(examplesDir).filter((f) => f.endsWith('.json'))) {
      const raw = JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8'));
      const policy = PolicyDocumentSchema.parse(file.includes('envelope') ? SignedPolicyEnvelopeSchema.parse(raw).policy : raw);
      const effective = new PolicyEngine({ managed: { state: 'active', path: file, policy } }).effective();
      const warned = [...effective.tools, ...effective.servers].filter((r) => r.warning).map((r) => r.name);
      expect(warned, file).toEqual([]);
    }
  });

  it('validation names the failing fields', () => {
    const result = validatePolicyText(JSON.stringify({ version: 1, tools: [{ match: 'a/*', action: 'maybe' }], servers: { allow: [{}] }, audit: { redactPatterns: ['('] }, extra: true }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const paths = result.issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['tools.0.action', 'servers.allow.0', 'audit.redactPatterns.0', '(root)']));
    }
    expect(validatePolicyText('{ nope')).toMatchObject({ ok: false, issues: [{ path: '(root)', message: expect.stringContaining('invalid JSON') }] });
  });
});
