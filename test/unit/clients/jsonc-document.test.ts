// Edits keep what they did not change: CRLF line ends, tabs, a byte-order mark, comments, a
// symlinked file stays a symlink, and the file's mode survives the atomic replace.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNoDuplicateKeys, ClientConfigDuplicateKeyError, ClientConfigParseError, duplicateKeys, editJsonc, parseJsonc, readJsoncDocument, writeWithBackup } from '../../../main/clients/jsonc-document.ts';

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

describe('writeWithBackup: the backup', () => {
  it('is readable by the user only, whatever the mode of the file it copies', async () => {
    const dir = tempDir();
    const file = join(dir, 'mcp.json');
    writeFileSync(file, '{"env": {"TOKEN": "ghp_inline"}}\n');
    chmodSync(file, 0o644);
    const backup = await writeWithBackup(file, '{}\n', new Date('2026-01-02T03:04:05Z'));
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readFileSync(backup, 'utf8')).toBe('{"env": {"TOKEN": "ghp_inline"}}\n');
  });

  it('never overwrites an earlier backup of the same second (link, then unlink)', async () => {
    const dir = tempDir();
    const file = join(dir, 'mcp.json');
    writeFileSync(file, 'original\n');
    const now = new Date('2026-01-02T03:04:05Z');
    const first = await writeWithBackup(file, 'linked\n', now);
    const second = await writeWithBackup(file, 'original\n', now);
    expect(second).not.toBe(first);
    expect(readFileSync(first, 'utf8')).toBe('original\n');
    expect(readFileSync(second, 'utf8')).toBe('linked\n');
    expect(statSync(second).mode & 0o777).toBe(0o600);
  });
});

describe('duplicate keys', () => {
  const text = '{\n  "mcpServers": {\n    "a": {"command": "x1"},\n    "b": {"command": "y", "command": "z"},\n    "a": {"command": "x2"}\n  },\n  "theme": 1,\n  "theme": 2\n}\n';

  it('finds every key written twice in one object, with the object it is in', () => {
    expect(duplicateKeys(text).map((d) => ({ path: d.path, key: d.key }))).toEqual([
      { path: ['mcpServers', 'b'], key: 'command' },
      { path: ['mcpServers'], key: 'a' },
      { path: [], key: 'theme' },
    ]);
  });

  it('refuses a server name written twice, naming it, the file, line and column; other duplicates do not matter', () => {
    const doc = { path: '/x/mcp.json', bytes: Buffer.from(text), text, data: parseJsonc('/x/mcp.json', text) };
    expect(() => assertNoDuplicateKeys(doc, [['mcpServers']])).toThrow(ClientConfigDuplicateKeyError);
    expect(() => assertNoDuplicateKeys(doc, [['mcpServers']])).toThrow(/^\/x\/mcp\.json:5:5: this name is defined more than once: "a" \(in mcpServers\);/);
    expect(() => assertNoDuplicateKeys(doc, [['servers']])).not.toThrow();
    const twoMaps = '{"mcpServers": {"a": {}}, "mcpServers": {"b": {}}, "projects": {"/p": {"mcpServers": {}}, "/p": {"mcpServers": {}}}}';
    const doc2 = { path: '/x/.claude.json', bytes: Buffer.from(twoMaps), text: twoMaps, data: parseJsonc('/x/.claude.json', twoMaps) };
    expect(() => assertNoDuplicateKeys(doc2, [['mcpServers'], ['projects', '/p', 'mcpServers']]))
      .toThrow(/these names are defined more than once: "mcpServers" \(in the top level\), "\/p" \(in projects\)/);
  });
});
