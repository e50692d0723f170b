// `switchboard service …`: the systemd user unit as text, checked by systemd's own parser
// (systemd-analyze verify), written and removed with settings.startAtLogin following, and a
// managed policy that decides start-at-login refusing the change. systemctl itself needs a user
// session (none in CI containers): a recorder stands in for it, and where a session exists the
// last test installs, starts and removes the unit for real.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_UNIT, registerServiceCommands, systemdQuote, systemdUnitText, userUnitPath, type ServiceDeps } from '../../../main/cli/service.ts';
import { SWITCHBOARD_BIN } from '../../support/daemon.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function run(args: string[], options: { managed?: unknown; systemctl?: ServiceDeps['systemctl']; platform?: NodeJS.Platform; home?: string; dataDir?: string } = {}) {
  const home = options.home ?? tempDir('sb-home-');
  const dataDir = options.dataDir ?? join(home, 'data');
  const managedPath = join(home, 'managed.json');
  if (options.managed) writeFileSync(managedPath, JSON.stringify(options.managed));
  const calls: string[][] = [];
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const program = new Command('switchboard').exitOverride();
  registerServiceCommands(program, { dataDir, stdin: new PassThrough(), stdout, stderr: new PassThrough() }, {
    systemctl: options.systemctl ?? ((a) => { calls.push(a); return { status: 0, output: a[0] === 'is-active' ? 'active' : '' }; }),
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home },
    home,
    platform: options.platform ?? 'linux',
    cliCommand: [process.execPath, SWITCHBOARD_BIN],
    managedPath,
  });
  let error: Error | undefined;
  try {
    await program.parseAsync(['node', 'switchboard', 'service', ...args]);
  } catch (e) {
    error = e as Error;
  }
  const config = () => JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as { settings: { startAtLogin: boolean } };
  return { out, error, calls, home, dataDir, unit: userUnitPath({}, home), config };
}

describe('the systemd user unit', () => {
  const command = ['/opt/node 24/bin/node', '/home/u/switchboard/bin/switchboard.js', 'serve', '--data-dir', '/home/u/.config/mcp-switchboard'];

  it('runs `switchboard serve` for the data folder, stops the daemon alone first, and starts with the user session', () => {
    expect(systemdUnitText({ command, path: '/usr/local/bin:/usr/bin' })).toBe([
      '# Written by `switchboard service install`; `switchboard service uninstall` removes it.',
      '[Unit]',
      'Description=MCP Switchboard daemon (local MCP manager and policy proxy)',
      'After=network.target',
      '',
      '[Service]',
      'Type=simple',
      'ExecStart="/opt/node 24/bin/node" /home/u/switchboard/bin/switchboard.js serve --data-dir /home/u/.config/mcp-switchboard',
      'Environment=PATH=/usr/local/bin:/usr/bin',
      'KillMode=mixed',
      'TimeoutStopSec=20',
      'Restart=on-failure',
      'RestartSec=5',
      'UMask=0077',
      'NoNewPrivileges=yes',
      '',
      '[Install]',
      'WantedBy=default.target',
      '',
    ].join('\n'));
  });

  it('quotes words the way systemd reads them: spaces, quotes, backslashes, % specifiers and $ variables', () => {
    expect(systemdQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdQuote('/a b/c')).toBe('"/a b/c"');
    expect(systemdQuote('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(systemdQuote('/data/100%')).toBe('/data/100%%');
    expect(systemdQuote('$HOME/x')).toBe('"$$HOME/x"');
    expect(() => systemdQuote('a\nExecStartPre=/bin/evil')).toThrow(/line break/);
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  it.skipIf(analyze.status !== 0)('passes systemd-analyze verify --user with the real node and CLI paths', () => {
    const dir = tempDir('sb-unit-');
    const runtime = tempDir('sb-runtime-');
    const file = join(dir, SERVICE_UNIT);
    writeFileSync(file, systemdUnitText({ command: [process.execPath, SWITCHBOARD_BIN, 'serve', '--data-dir', join(dir, 'data 100%')], path: process.env.PATH }));
    const result = spawnSync('systemd-analyze', ['verify', '--user', file], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtime } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // A command that does not exist is what verify catches: the check is live.
    writeFileSync(file, systemdUnitText({ command: [join(dir, 'no-such-node'), 'serve'] }));
    expect(spawnSync('systemd-analyze', ['verify', '--user', file], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtime } }).status).not.toBe(0);
  });
});

describe('switchboard service', () => {
  it('install writes the unit, enables and starts it, and turns settings.startAtLogin on; uninstall undoes both', async () => {
    const installed = await run(['install']);
    expect(installed.error).toBeUndefined();
    const text = readFileSync(installed.unit, 'utf8');
    expect(installed.unit).toBe(join(installed.home, '.config', 'systemd', 'user', SERVICE_UNIT));
    expect(text).toContain(`ExecStart=${systemdQuote(process.execPath)} ${systemdQuote(SWITCHBOARD_BIN)} serve --data-dir ${systemdQuote(installed.dataDir)}`);
    expect(text).toContain('Environment=PATH=/usr/local/bin:/usr/bin:/bin');
    expect(statSync(installed.unit).mode & 0o777).toBe(0o644);
    expect(installed.calls).toEqual([['daemon-reload'], ['enable', '--now', SERVICE_UNIT]]);
    expect(installed.config().settings.startAtLogin).toBe(true);

    const status = await run(['status'], { home: installed.home });
    expect(status.out).toContain('start at login: on (settings.startAtLogin)');
    expect(status.out).toContain(`systemd unit: ${installed.unit} (active)`);

    const removed = await run(['uninstall'], { home: installed.home });
    expect(removed.error).toBeUndefined();
    expect(existsSync(installed.unit)).toBe(false);
    expect(removed.calls).toEqual([['disable', '--now', SERVICE_UNIT], ['daemon-reload']]);
    expect(removed.config().settings.startAtLogin).toBe(false);
  });

  it('without a user session, install still writes the unit and the setting and says how to enable it', async () => {
    const result = await run(['install'], { systemctl: () => ({ status: 1, output: 'Failed to connect to bus: No medium found' }) });
    expect(result.error).toBeUndefined();
    expect(existsSync(result.unit)).toBe(true);
    expect(result.out).toContain('Failed to connect to bus');
    expect(result.out).toContain(`systemctl --user enable --now ${SERVICE_UNIT}`);
    expect(result.config().settings.startAtLogin).toBe(true);
  });

  it('a managed policy that turns start-at-login off refuses install, and one that turns it on refuses uninstall', async () => {
    const off = await run(['install'], { managed: { version: 1, startAtLogin: false } });
    expect(off.error?.message).toBe('start at login is off by managed policy; the service cannot be installed');
    expect(existsSync(off.unit)).toBe(false);
    const on = await run(['start-at-login', 'off'], { managed: { version: 1, startAtLogin: true } });
    expect(on.error?.message).toBe('start at login is on by managed policy; it cannot be changed here');
    const locked = await run(['status'], { managed: { version: 1, locks: ['startAtLogin'] } });
    expect(locked.out).toContain('start at login: off (default, locked)');
  });

  it('start-at-login sets the one setting on any platform; install is Linux only', async () => {
    const set = await run(['start-at-login', 'on'], { platform: 'darwin' });
    expect(set.error).toBeUndefined();
    expect(set.config().settings.startAtLogin).toBe(true);
    expect((await run(['start-at-login', 'maybe'])).error?.message).toBe('expected "on" or "off", got "maybe"');
    expect((await run(['install'], { platform: 'darwin' })).error?.message).toMatch(/systemd unit \(Linux\)/);
  });

  const session = spawnSync('systemctl', ['--user', 'is-system-running'], { encoding: 'utf8' });
  const userSystemd = session.status === 0 || ['running', 'degraded'].includes(session.stdout.trim());
  it.skipIf(!userSystemd)('installs, starts and removes the unit in a real systemd user session', async () => {
    const home = tempDir('sb-real-');
    const real = (args: string[]) => {
      const result = spawnSync('systemctl', ['--user', ...args], { encoding: 'utf8' });
      return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
    };
    // The real unit folder: the user manager only reads units from its own paths.
    const installed = await run(['install'], { systemctl: real, home: process.env.HOME!, dataDir: join(home, 'data') });
    try {
      expect(installed.error).toBeUndefined();
      expect(real(['is-enabled', SERVICE_UNIT]).output).toBe('enabled');
    } finally {
      await run(['uninstall'], { systemctl: real, home: process.env.HOME!, dataDir: join(home, 'data') });
    }
    expect(real(['is-enabled', SERVICE_UNIT]).status).not.toBe(0);
  });
});
