// electron-builder.yml as the packager reads it: each Electron fuse set as the hardening needs,
// and the whole file valid for electron-builder's own schema (a misspelt fuse name is an error
// there, not a silently ignored key).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const CONFIG_FILE = fileURLToPath(new URL('../../../electron-builder.yml', import.meta.url));
const config = parse(readFileSync(CONFIG_FILE, 'utf8')) as { electronFuses?: Record<string, unknown>; publish?: unknown; asar?: unknown };

describe('electron-builder.yml fuses', () => {
  const fuses = config.electronFuses ?? {};

  it.each([
    ['runAsNode', false],
    ['enableNodeOptionsEnvironmentVariable', false],
    ['enableNodeCliInspectArguments', false],
    ['enableEmbeddedAsarIntegrityValidation', true],
    ['onlyLoadAppFromAsar', true],
    ['enableCookieEncryption', true],
    ['grantFileProtocolExtraPrivileges', false],
  ] as const)('%s is %s', (fuse, expected) => {
    expect(fuses[fuse]).toBe(expected);
  });

  it('packs the app into an asar archive (onlyLoadAppFromAsar and the integrity check need one)', () => {
    expect(config.asar).toBe(true);
  });

  it('is valid for electron-builder, so every fuse name is one it knows', async () => {
    const { validateConfiguration } = (await import('app-builder-lib/out/util/config/config.js')) as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
    const { DebugLogger } = (await import('builder-util')) as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, electronFuses: { ...fuses, runAsNod: false } }, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });
});
