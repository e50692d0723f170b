// Names in the CLI's output come from clients and servers: control characters in them must reach
// the terminal as visible escapes (no escape sequences run, no forged rows), JSON stays exact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../main/cli.ts';
import { columns, escapeControl, jsonText, line, terminalText } from '../../../main/cli/output.ts';
import { createAuditHarness, driveCalls, makeSession, type AuditHarness } from '../../support/audit-harness.ts';

const EVIL_TOOL = 'evil\u001b[2J\u001b]0;pwned\u0007tool';
const EVIL_CLIENT = 'cl\nforged row\u009b31m\u007f';
// Any raw C0 other than the layout's own newline and tab, DEL, or C1.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let dir: string;
let harness: AuditHarness | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-cli-output-'));
});
afterEach(() => {
  harness?.close();
  harness = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await buildProgram({ dataDir: dir, stdin: new PassThrough(), stdout, stderr }).parseAsync(['node', 'switchboard', ...args]);
  return { stdout: out, stderr: err };
}

describe('CLI output escapes control characters', () => {
  it('renders C0, DEL and C1 as visible escapes', () => {
    expect(escapeControl('a\u001b[2Jb\u0007c\nd\te\rf\u007fg\u009bh\u0000')).toBe('a\\x1b[2Jb\\x07c\\nd\\te\\rf\\x7fg\\x9bh\\x00');
    expect(terminalText('row 1\tcell\nrow 2 \u001b]0;x\u0007\r')).toBe('row 1\tcell\nrow 2 \\x1b]0;x\\x07\\r');
    expect(line`${'a\nb'}\t${'c\td'}\n`).toBe('a\\nb\tc\\td\n');
    expect(columns([['NAME', 'X'], ['a\nb', '1']])).toBe('NAME  X\na\\nb  1\n');
    expect(escapeControl('plain ünïcode — ok')).toBe('plain ünïcode — ok');
  });

  it('keeps JSON exact: DEL and C1 become \\u escapes that parse back to the same string', () => {
    const value = { name: `${EVIL_TOOL}${EVIL_CLIENT}` };
    const text = jsonText(value);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('audit list and audit stats print no raw escape sequences and one row per record', async () => {
    harness = createAuditHarness(dir);
    await driveCalls(harness.interceptor, 2, {
      session: makeSession({ client: { name: EVIL_CLIENT, version: '1' } }),
      call: (i) => ({ name: i === 0 ? EVIL_TOOL : 'plain_tool' }),
    });

    const list = (await run(['audit', 'list'])).stdout;
    expect(list).not.toMatch(RAW_CONTROL);
    const rows = list.trimEnd().split('\n');
    expect(rows).toHaveLength(3); // header + 2 records: the newline in the client name did not add one
    expect(list).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07tool');
    expect(list).toContain('cl\\nforged row\\x9b31m\\x7f');

    const stats = (await run(['audit', 'stats'])).stdout;
    expect(stats).not.toMatch(RAW_CONTROL);
    expect(stats.trimEnd().split('\n')).toHaveLength(3);
    expect(stats).toContain('evil\\x1b[2J');

    const json = (await run(['audit', 'list', '--json'])).stdout;
    expect(json).not.toMatch(RAW_CONTROL);
    const page = JSON.parse(json) as { records: Array<{ target: string; clientName: string }> };
    expect(page.records.map((r) => r.target).sort()).toEqual([EVIL_TOOL, 'plain_tool'].sort());
    expect(page.records[0]!.clientName).toBe(EVIL_CLIENT);
  });
});
