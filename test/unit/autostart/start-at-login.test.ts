// settings.startAtLogin as the one source of truth, through the real daemon composition (config
// file, managed policy file, API): the OS login item (Electron's, a stand-in here) only mirrors it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { effectiveStartAtLogin } from '../../../main/autostart/start-at-login.ts';
import { Switchboard } from '../../../main/switchboard.ts';

let switchboard: Switchboard | undefined;
let dataDir: string;

afterEach(async () => {
  await switchboard?.stop();
  switchboard = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(options: { setting?: boolean; managed?: Record<string, unknown>; osItem?: boolean }) {
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-login-'));
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ version: 1, settings: { httpPort: 0, ...(options.setting !== undefined ? { startAtLogin: options.setting } : {}) } }));
  const managedPath = join(dataDir, 'managed.json');
  if (options.managed) writeFileSync(managedPath, JSON.stringify({ version: 1, ...options.managed }));
  const os = { openAtLogin: options.osItem ?? false, sets: [] as boolean[] };
  switchboard = await Switchboard.start({
    dataDir, mode: 'desktop', managedPath, autoStart: false, watchConfig: false,
    loginItem: { get: () => os.openAtLogin, set: (enabled) => { os.openAtLogin = enabled; os.sets.push(enabled); } },
  });
  await expect.poll(() => os.openAtLogin).toBe(switchboard.startAtLogin.effective().enabled);
  const call = (method: string, input: unknown) => switchboard!.dispatcher.dispatch(method, input, { kind: 'ipc' });
  return { os, call, configured: () => (JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as { settings: { startAtLogin?: boolean } }).settings.startAtLogin };
}

describe('settings.startAtLogin is the single source of truth', () => {
  it('the OS login item follows config.json at start, and the UI\'s choice is saved there first', async () => {
    const { os, call, configured } = await start({ setting: true, osItem: false });
    expect(os.openAtLogin).toBe(true);
    expect(await call('app.info', {})).toMatchObject({ ok: true, result: { startAtLogin: true } });
    expect(await call('app.setStartAtLogin', { enabled: false })).toEqual({ ok: true, result: { enabled: false } });
    expect(configured()).toBe(false);
    expect(os.openAtLogin).toBe(false);
  });

  it('a managed policy value wins: the OS item follows it and the user cannot change it', async () => {
    const { os, call, configured } = await start({ setting: false, osItem: false, managed: { startAtLogin: true } });
    expect(os.openAtLogin).toBe(true);
    expect(await call('app.info', {})).toMatchObject({ ok: true, result: { startAtLogin: true, startAtLoginLockedBy: 'managed' } });
    expect(await call('app.setStartAtLogin', { enabled: false })).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'start at login is on by managed policy; it cannot be changed here' } });
    expect(os.openAtLogin).toBe(true);
    expect(configured()).toBe(false);
  });

  it('a lock without a value keeps it off whatever config.json says', async () => {
    const { os, call } = await start({ setting: true, osItem: true, managed: { locks: ['startAtLogin'] } });
    expect(os.openAtLogin).toBe(false);
    expect(await call('app.setStartAtLogin', { enabled: true })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('effective value rules', () => {
    expect(effectiveStartAtLogin(true, undefined)).toEqual({ enabled: true, source: 'user', locked: false });
    expect(effectiveStartAtLogin(true, { value: false, source: 'org', locked: false })).toEqual({ enabled: false, source: 'org', locked: true });
    expect(effectiveStartAtLogin(true, { source: 'default', locked: true })).toEqual({ enabled: false, source: 'default', locked: true });
  });
});
