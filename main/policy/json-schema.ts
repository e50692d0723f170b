// resources/policy.schema.json for IT, generated from the zod schema (the single source of truth).
// Regenerate with: node main/policy/json-schema.ts --write
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PolicyDocumentSchema } from '../../shared/policy.ts';

export const POLICY_SCHEMA_FILE = fileURLToPath(new URL('../../resources/policy.schema.json', import.meta.url));

export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicyDocumentSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://mcp-switchboard.dev/schemas/policy.schema.json', title: 'MCP Switchboard policy' };
}

export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}

if (import.meta.main && process.argv.includes('--write')) {
  writeFileSync(POLICY_SCHEMA_FILE, policyJsonSchemaText());
  process.stdout.write(`wrote ${POLICY_SCHEMA_FILE}\n`);
}
