import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ConfigStore } from '../../../main/config/config-store.ts';
import { defaultDataDir, resolveDataDir } from '../../../main/config/data-dir.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('ConfigStore', () => {
  it('returns defaults when there is no file and writes atomically with mode 0600', async () => {
    const store = new ConfigStore(tempDir());
    expect(store.load().servers).toEqual([]);
    await store.update((config) => {
      config.servers.push({ id: 'a', transport: 'stdio', command: 'node', args: [], env: {}, enabled: true });
    });
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(store.load().servers.map((s) => s.id)).toEqual(['a']);
  });

  it('names the file and field path of an invalid config and never overwrites it', async () => {
    const store = new ConfigStore(tempDir());
    const bad = JSON.stringify({ servers: [{ id: 'a', transport: 'stdio', command: '' }] });
    writeFileSync(store.file, bad);
    expect(() => store.load()).toThrow(ConfigError);
    expect(() => store.load()).toThrow(/config\.json: servers\.0\.command: /);
    await expect(store.update((c) => c)).rejects.toThrow(/servers\.0\.command/);
    expect(readFileSync(store.file, 'utf8')).toBe(bad);
  });

  it('reports JSON syntax errors with the file name', () => {
    const store = new ConfigStore(tempDir());
    writeFileSync(store.file, '{ nope');
    expect(() => store.load()).toThrow(/config\.json: not valid JSON/);
  });
});

describe('data folder', () => {
  it('prefers --data-dir, then SWITCHBOARD_DATA_DIR, then the OS default', () => {
    expect(resolveDataDir('/x/flag', { SWITCHBOARD_DATA_DIR: '/x/env' })).toBe('/x/flag');
    expect(resolveDataDir(undefined, { SWITCHBOARD_DATA_DIR: '/x/env' })).toBe('/x/env');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/u')).toBe('/xdg/mcp-switchboard');
    expect(defaultDataDir('linux', {}, '/home/u')).toBe('/home/u/.config/mcp-switchboard');
    expect(defaultDataDir('darwin', {}, '/Users/u')).toBe('/Users/u/Library/Application Support/MCP Switchboard');
  });
});
