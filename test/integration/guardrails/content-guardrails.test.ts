// Content guardrails through `switchboard serve` (a child process, as a user runs it) with a real
// fixture server (test/support/guardrails-server.ts) that plants secrets, PII, injection text, a
// 2 MB result and a strict inputSchema, driven by the real SDK client over /mcp. The managed
// policy turns each guardrail on; with GUARDRAILS_TEST_OFF=1 it leaves them out, and then every
// test here fails (that is how each was checked to test its guardrail).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsContract } from '../../../shared/api/approvals.ts';
import { auditContract } from '../../../shared/api/audit.ts';
import { guardrailsContract } from '../../../shared/api/guardrails.ts';
import type { AuditRecord } from '../../../shared/audit.ts';
import { prepareDataDir, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { BIG_RESULT_BYTES, PLANTED } from '../../support/guardrails-server.ts';
import { until } from '../../support/until.ts';

const FIXTURE = join(import.meta.dirname, '../../support/guardrails-server.ts');
const OFF = process.env.GUARDRAILS_TEST_OFF === '1';

const GUARDRAILS = {
  dlp: { rules: [
    { id: 'block-secrets-in-arguments', detectors: ['secrets'], direction: 'arguments', action: 'block' },
    { id: 'redact-secrets-in-results', detectors: ['secrets', 'us-ssn'], direction: 'results', action: 'redact' },
    { id: 'block-cards', detectors: ['credit-card'], direction: 'results', match: 'guard/card_on_file', action: 'block' },
    { id: 'log-pii-in-arguments', detectors: ['pii'], direction: 'arguments', action: 'log' },
  ] },
  injection: { rules: [
    { id: 'ask-flagged-tools', scan: 'descriptions', action: 'ask' },
    { id: 'warn-injected-results', scan: 'results', action: 'warn' },
  ] },
  budgets: { results: [{ id: 'cap-1mb', maxBytes: 1024 * 1024, action: 'truncate' }] },
  validation: { rules: [{ id: 'enforce-schemas', match: 'guard/*', mode: 'enforce' }] },
};

let daemon: TestDaemon;
let client: Client;
let callsFile: string;
let dataDir: string;

const textOf = (result: unknown) => ((result as { content?: Array<{ type: string; text?: string }> }).content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
const callsOf = (tool: string) => (existsSync(callsFile) ? readFileSync(callsFile, 'utf8').split('\n').filter((line) => line === tool).length : 0);

async function auditRecords(): Promise<AuditRecord[]> {
  return (await daemon.apiFor(auditContract)['audit.query']({ limit: 200 })).records;
}

beforeAll(async () => {
  const data = prepareDataDir({
    prefix: 'guardrails-',
    servers: (dir) => [{ id: 'guard', transport: 'stdio', command: process.execPath, args: [FIXTURE], env: { GUARDRAILS_CALLS_FILE: join(dir, 'calls.txt') } }],
  });
  dataDir = data.dataDir;
  callsFile = join(dataDir, 'calls.txt');
  const managed = join(dataDir, 'managed-policy.json');
  await writeFile(managed, JSON.stringify({ version: 1, ...(OFF ? {} : GUARDRAILS) }));
  daemon = await startTestDaemon({ data, env: { SWITCHBOARD_MANAGED_POLICY: managed } });
  client = await daemon.httpClient('guard', undefined, 'guardrails-test');
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  // A folder the test prepared itself is left in place by stop().
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('DLP', () => {
  it('blocks the planted AWS key in the arguments, at the top level and one level deeper, before it reaches the server', async () => {
    const before = callsOf('store_text') + callsOf('store_note');
    const top = await client.callTool({ name: 'store_text', arguments: { text: `my key is ${PLANTED.awsKey}` } });
    const deep = await client.callTool({ name: 'store_note', arguments: { note: { text: PLANTED.awsKey } } });
    for (const result of [top, deep]) {
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('managed: block-secrets-in-arguments');
      expect(textOf(result)).toContain('aws-access-key');
      expect(textOf(result)).not.toContain(PLANTED.awsKey);
    }
    expect(textOf(deep)).toContain('arguments.note.text');
    expect(callsOf('store_text') + callsOf('store_note')).toBe(before);
  });

  it('redacts the planted AWS key, GitHub token and SSN in a result, with a note the model reads', async () => {
    const result = await client.callTool({ name: 'read_config', arguments: {} });
    const text = textOf(result);
    expect(result.isError).toBeFalsy();
    for (const value of [PLANTED.awsKey, PLANTED.githubToken, PLANTED.ssn]) expect(text).not.toContain(value);
    expect(text).toContain('[REDACTED:aws-access-key]');
    expect(text).toContain('[REDACTED:us-ssn]');
    expect(text).toContain('region = eu-west-1');
    expect(text).toMatch(/MCP Switchboard redacted .*managed: redact-secrets-in-results/);
  });

  it('catches a card number whose Luhn check is valid and lets one with an invalid check through', async () => {
    const valid = await client.callTool({ name: 'card_on_file', arguments: { which: 'valid' } });
    expect(valid.isError).toBe(true);
    expect(textOf(valid)).toContain('credit-card');
    expect(textOf(valid)).not.toContain(PLANTED.validCard);
    const invalid = await client.callTool({ name: 'card_on_file', arguments: { which: 'invalid' } });
    expect(invalid.isError).toBeFalsy();
    expect(textOf(invalid)).toContain(PLANTED.invalidCard);
  });
});

describe('injection defence', () => {
  it('flags a tool whose description hides U+E0000 tag characters and, under ask, lists it only once approved', async () => {
    const listed = async () => (await client.listTools()).tools.map((t) => t.name);
    const first = await listed();
    expect(first).toContain('read_config');
    expect(first).not.toContain('weather');
    const refused = await client.callTool({ name: 'weather', arguments: { city: 'Oslo' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('invisible-characters');
    expect(callsOf('weather')).toBe(0);
    const flags = () => daemon.apiFor(guardrailsContract)['guardrails.flags']({ serverId: 'guard' });
    expect((await flags()).flags).toEqual([{ serverId: 'guard', tool: 'weather', rule: 'managed: ask-flagged-tools', action: 'ask', detectors: ['invisible-characters'], where: ['tool.description'], state: 'hidden' }]);

    const approvals = daemon.apiFor(approvalsContract);
    const pending = (await until(() => approvals['approvals.list']({}), { done: (r) => r.pending.some((p) => p.tool === 'weather'), what: 'the approval of the flagged tool' })).pending.find((p) => p.tool === 'weather')!;
    expect(pending).toMatchObject({ serverId: 'guard', source: 'guardrails', rule: 'managed: ask-flagged-tools' });
    expect(pending.reason).toContain('invisible-characters');
    expect(JSON.stringify(pending.change)).toContain('⟨U+E0069⟩'); // the hidden "i" written out for the person approving
    await approvals['approvals.answer']({ id: pending.id, answer: 'allow-once' });
    expect(await listed()).toContain('weather');
    expect((await flags()).flags[0]!.state).toBe('approved');
  });

  it('marks a result that tries to override instructions with a note, under warn', async () => {
    const result = await client.callTool({ name: 'fetch_page', arguments: {} });
    expect(textOf(result)).toMatch(/^\[MCP Switchboard: this result contains text that looks like instructions \(instruction-override/);
  });
});

describe('budgets', () => {
  it('truncates a 2 MB result to the 1 MB cap with a note telling the model how to ask for less', async () => {
    const result = await client.callTool({ name: 'big_report', arguments: {} });
    const text = textOf(result);
    expect(Buffer.byteLength(text)).toBeLessThan(BIG_RESULT_BYTES / 2 + 2000);
    expect(text).toContain(`truncated this result from ${BIG_RESULT_BYTES} bytes`);
    expect(text).toContain('ask for less');
    expect(text).toContain('managed: cap-1mb');
  });
});

describe('request validation', () => {
  it('under enforce, a call breaking the inputSchema never reaches the server and the error names the field', async () => {
    const before = callsOf('resize');
    const result = await client.callTool({ name: 'resize', arguments: { width: 'wide', height: 10, unit: 'px' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('arguments.width');
    expect(textOf(result)).toContain('expected type');
    expect(textOf(result)).toContain('managed: enforce-schemas');
    expect(callsOf('resize')).toBe(before);
    const ok = await client.callTool({ name: 'resize', arguments: { width: 3, height: 10, unit: 'px' } });
    expect(textOf(ok)).toBe('resized');
    expect(callsOf('resize')).toBe(before + 1);
  });
});

describe('audit', () => {
  it('records detector and rule names, estimated tokens and invalid_arguments, and never the planted values', async () => {
    // Logged, not blocked: it reaches the server, and the audit's captured arguments still leave the card number out.
    expect(textOf(await client.callTool({ name: 'store_text', arguments: { text: `pay with ${PLANTED.validCard}` } }))).toBe('stored');
    const records = await until(auditRecords, { done: (rows) => rows.some((r) => r.target === 'resize' && r.outcome === 'ok'), what: 'the audit records' });
    const blocked = records.find((r) => r.target === 'store_note')!;
    expect(blocked).toMatchObject({ outcome: 'denied', rule: 'managed: block-secrets-in-arguments', source: 'guardrails', guardrailRule: 'managed: block-secrets-in-arguments' });
    expect(blocked.detectors).toContain('aws-access-key');
    const redacted = records.find((r) => r.target === 'read_config')!;
    expect(redacted.guardrailRule).toContain('managed: redact-secrets-in-results');
    expect(redacted.detectors!.split(',')).toEqual(expect.arrayContaining(['aws-access-key', 'github-token', 'us-ssn']));
    expect(redacted.estTokensOut).toBeGreaterThan(0);
    const invalid = records.find((r) => r.target === 'resize' && r.outcome !== 'ok')!;
    expect(invalid).toMatchObject({ outcome: 'invalid_arguments', guardrailRule: 'managed: enforce-schemas' });
    const logged = records.find((r) => r.target === 'store_text' && r.outcome === 'ok')!;
    expect(logged).toMatchObject({ guardrailRule: 'managed: log-pii-in-arguments', detectors: 'credit-card' });
    expect(logged.arguments).toContain('[REDACTED:credit-card]');
    const truncated = records.find((r) => r.target === 'big_report')!;
    expect(truncated.guardrailFlags).toContain('result-truncated');

    const planted = [PLANTED.awsKey, PLANTED.githubToken, PLANTED.ssn, PLANTED.validCard];
    const files = readdirSync(dataDir).filter((name) => name.startsWith('audit.db'));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const bytes = readFileSync(join(dataDir, name)).toString('latin1');
      for (const value of planted) expect(bytes.includes(value), `${value} in ${name}`).toBe(false);
    }
    for (const value of planted) expect(daemon.logs().includes(value), `${value} in the daemon log`).toBe(false);
  });
});
