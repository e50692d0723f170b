// The Electron main process starts its daemon through main/app/start-daemon.ts, which loads
// main/switchboard.ts at run time (a path in a string, so no compiler or bundler checks it). These
// tests run that path for real: the module exists and exports startDesktopDaemon, and
// startDaemon() brings up the full composition (every domain's API) in desktop mode.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../../../main/app/start-daemon.ts';
import type { InProcessDaemon } from '../../../main/app/desktop-app.ts';

describe('startDaemon (main/app/start-daemon.ts)', () => {
  let dataDir: string;
  let daemon: InProcessDaemon | undefined;
  const saved = { dataDir: process.env.SWITCHBOARD_DATA_DIR, managed: process.env.SWITCHBOARD_MANAGED_POLICY };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-start-daemon-'));
    // Port 0: never collide with a daemon already running on this machine.
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ version: 1, servers: [], tokens: [], settings: { httpPort: 0 } }));
    process.env.SWITCHBOARD_DATA_DIR = dataDir;
    process.env.SWITCHBOARD_MANAGED_POLICY = join(dataDir, 'no-managed-policy.json');
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    for (const [key, value] of [['SWITCHBOARD_DATA_DIR', saved.dataDir], ['SWITCHBOARD_MANAGED_POLICY', saved.managed]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds startDesktopDaemon in main/switchboard.ts, the module it loads', async () => {
    const module = await import('../../../main/switchboard.ts');
    expect(typeof module.startDesktopDaemon).toBe('function');
    expect(existsSync(new URL('../../../main/switchboard.ts', import.meta.url))).toBe(true);
  });

  it('starts the whole product daemon in desktop mode; the OS login item it was given mirrors settings.startAtLogin', async () => {
    // The OS says "at login" but config.json says no: the setting is the source of truth.
    let atLogin = true;
    daemon = await startDaemon({ mode: 'desktop', loginItem: { get: () => atLogin, set: (enabled) => { atLogin = enabled; } } });
    await expect.poll(() => atLogin).toBe(false);

    const info = await daemon.dispatcher.dispatch('app.info', {}, { kind: 'ipc' });
    expect(info.ok).toBe(true);
    const result = (info as { ok: true; result: { mode: string; dataDir: string; methods: string[]; startAtLogin?: boolean } }).result;
    expect(result.mode).toBe('desktop');
    expect(result.dataDir).toBe(dataDir);
    expect(result.startAtLogin).toBe(false);
    // Only main/switchboard.ts's composition serves every domain, not the bare relay daemon.
    expect(result.methods).toEqual(expect.arrayContaining(['servers.list', 'clients.list', 'policy.effective', 'approvals.list', 'audit.query', 'forwarder.status', 'secrets.list']));
    expect(existsSync(join(dataDir, 'daemon.json'))).toBe(true);

    const login = await daemon.dispatcher.dispatch('app.setStartAtLogin', { enabled: true }, { kind: 'ipc' });
    expect(login).toEqual({ ok: true, result: { enabled: true } });
    expect(atLogin).toBe(true);
    expect(JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')).settings.startAtLogin).toBe(true);
  });
});
