// Edits keep what they did not change: CRLF line ends, tabs, a byte-order mark, comments, a
// symlinked file stays a symlink, and the file's mode survives the atomic replace.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientConfigParseError, editJsonc, parseJsonc, readJsoncDocument, writeWithBackup } from '../../../main/clients/jsonc-document.ts';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-jsonc-'));
  dirs.push(dir);
  return dir;
}

describe('editJsonc', () => {
  it('keeps CRLF, tabs and comments around the edited value', () => {
    const text = '{\r\n\t// servers\r\n\t"mcpServers": {\r\n\t\t"a": { "command": "x" } // inline\r\n\t}\r\n}\r\n';
    const edited = editJsonc(text, ['mcpServers', 'a'], { url: 'http://127.0.0.1:1/mcp/a' });
    expect(edited).toContain('\t// servers\r\n');
    expect(edited).toContain('// inline');
    expect(edited).not.toMatch(/[^\r]\n/);
    expect(parseJsonc('f', edited)).toEqual({ mcpServers: { a: { url: 'http://127.0.0.1:1/mcp/a' } } });
  });
});

describe('parseJsonc', () => {
  it('names line and column of the first error', () => {
    expect(() => parseJsonc('/x/mcp.json', '{\n  "a": 1,\n  "b": oops\n}')).toThrow(ClientConfigParseError);
    expect(() => parseJsonc('/x/mcp.json', '{\n  "a": 1,\n  "b": oops\n}')).toThrow(/^\/x\/mcp\.json:3:8: cannot parse/);
    expect(() => parseJsonc('/x/mcp.json', '[1]')).toThrow(/top level is not a JSON object/);
    expect(parseJsonc('/x/mcp.json', '')).toEqual({});
  });
});

describe('writeWithBackup', () => {
  it('replaces the file a symlink points to, keeps its mode, and backs up the old bytes beside it', async () => {
    const dir = tempDir();
    const real = join(dir, 'real.json');
    const link = join(dir, 'mcp.json');
    writeFileSync(real, '\uFEFF{"a": 1}\n');
    chmodSync(real, 0o640);
    symlinkSync(real, link);
    const doc = await readJsoncDocument(link);
    expect(doc.data).toEqual({ a: 1 });
    const backup = await writeWithBackup(link, '{"a": 2}\n', new Date('2026-01-02T03:04:05Z'));
    expect(backup).toMatch(/real\.json\.switchboard-20260102T030405Z-\d+\.bak$/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(link, 'utf8')).toBe('{"a": 2}\n');
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(readFileSync(backup, 'utf8')).toBe('\uFEFF{"a": 1}\n');
  });
});
