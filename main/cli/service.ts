// `switchboard service install | uninstall | status | start-at-login <on|off>`: starting the
// daemon at login. settings.startAtLogin is the one source of truth (the desktop app mirrors it to
// the OS login item); on Linux without a desktop, `service install` also writes a systemd user
// unit that runs `switchboard serve` in the user's session, and `service uninstall` removes it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { PACKAGED_CLI_FLAG } from '../../shared/packaged-cli.ts';
import { REPO_BIN } from '../clients/link-endpoint.ts';
import { ApiError } from '../../shared/api/define.ts';
import { withApi } from './api-session.ts';
import type { CliContext } from './context.ts';
import { printer } from './output.ts';

export const SERVICE_UNIT = 'mcp-switchboard.service';

export interface SystemctlResult {
  readonly status: number | null;
  readonly output: string;
}

export interface ServiceDeps {
  /** Runs `systemctl --user <args>`; null when systemctl is not installed. */
  readonly systemctl: (args: string[]) => SystemctlResult | null;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly platform: NodeJS.Platform;
  /** The command that runs this CLI: node + bin/switchboard.js, or the packaged app with --switchboard-cli. */
  readonly cliCommand: string[];
  readonly managedPath?: string;
}

export function defaultServiceDeps(): ServiceDeps {
  return {
    systemctl: (args) => {
      const result = spawnSync('systemctl', ['--user', ...args], { encoding: 'utf8' });
      if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
    },
    env: process.env,
    home: homedir(),
    platform: process.platform,
    cliCommand: process.versions.electron ? [process.execPath, PACKAGED_CLI_FLAG] : [process.execPath, REPO_BIN],
  };
}

/** ~/.config/systemd/user/mcp-switchboard.service (or under $XDG_CONFIG_HOME). */
export function userUnitPath(env: NodeJS.ProcessEnv, home: string): string {
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'systemd', 'user', SERVICE_UNIT);
}

/**
 * One word of an ExecStart= or Environment= line. systemd splits on whitespace, honours double
 * quotes with C-style escapes, and expands "%" specifiers and "$" variables, so those are escaped.
 */
export function systemdQuote(word: string): string {
  if (/[\n\r\0]/.test(word)) throw new Error(`cannot write ${JSON.stringify(word)} into a systemd unit: it contains a line break or NUL`);
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface UnitOptions {
  /** The full `serve` command line. */
  readonly command: readonly string[];
  /** PATH the servers are started with (a user manager's own PATH is minimal). */
  readonly path?: string | undefined;
}

export function systemdUnitText(options: UnitOptions): string {
  return [
    '# Written by `switchboard service install`; `switchboard service uninstall` removes it.',
    '[Unit]',
    'Description=MCP Switchboard daemon (local MCP manager and policy proxy)',
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${options.command.map(systemdQuote).join(' ')}`,
    ...(options.path ? [`Environment=${systemdQuote(`PATH=${options.path}`)}`] : []),
    // SIGTERM to the daemon alone: it stops its servers and answers calls in flight (up to 15 s).
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
  ].join('\n');
}

export function registerServiceCommands(program: Command, context: CliContext, deps: ServiceDeps = defaultServiceDeps()): Command {
  const out = printer(context.stdout);
  const unitPath = userUnitPath(deps.env, deps.home);
  const api = { ...context, ...(deps.managedPath ? { managedPath: deps.managedPath } : {}) };

  /** The effective value and who decides it: a policy, or settings.startAtLogin (through the API). */
  const effective = () => withApi(api, ({ api }) => api['startAtLogin.get']({}));
  const setStartAtLogin = async (enabled: boolean): Promise<void> => {
    await withApi(api, ({ api }) => api['startAtLogin.set']({ enabled })).catch((error: unknown) => {
      throw error instanceof ApiError ? new Error(error.message) : error;
    });
  };
  const systemctl = (args: string[]): SystemctlResult => {
    const result = deps.systemctl(args);
    if (!result) throw new Error('systemctl is not installed: this machine does not run systemd');
    return result;
  };

  const service = program.command('service').description('Start the daemon at login: settings.startAtLogin, and a systemd user unit on Linux without a desktop');

  service.command('install')
    .description(`Set settings.startAtLogin and write ${SERVICE_UNIT}, a systemd user unit running \`switchboard serve\`, then enable and start it`)
    .option('--no-start', 'write and enable the unit without starting it now')
    .action(async (options: { start: boolean }) => {
      if (deps.platform !== 'linux') throw new Error('`service install` writes a systemd unit (Linux); on macOS and Windows the desktop app starts at login: `switchboard service start-at-login on`');
      const current = await effective();
      if (current.locked && !current.enabled) throw new Error(`start at login is off by ${current.source === 'default' ? 'a' : current.source} policy; the service cannot be installed`);
      const command = [...deps.cliCommand, 'serve', '--data-dir', context.dataDir];
      mkdirSync(dirname(unitPath), { recursive: true });
      writeFileSync(unitPath, systemdUnitText({ command, path: deps.env.PATH }), { mode: 0o644 });
      await setStartAtLogin(true);
      out(`wrote ${unitPath}`);
      const reload = systemctl(['daemon-reload']);
      if (reload.status !== 0) {
        out(`settings.startAtLogin is on; systemd did not take the unit (${reload.output || `exit ${reload.status}`}): run \`systemctl --user daemon-reload && systemctl --user enable --now ${SERVICE_UNIT}\` in a login session`);
        return;
      }
      const enable = systemctl(['enable', ...(options.start ? ['--now'] : []), SERVICE_UNIT]);
      if (enable.status !== 0) throw new Error(`systemctl --user enable ${SERVICE_UNIT} failed: ${enable.output}`);
      out(`enabled ${SERVICE_UNIT}${options.start ? ' and started it' : ''}; logs: journalctl --user -u ${SERVICE_UNIT}`);
      out('to keep it running while you are logged out: loginctl enable-linger');
    });

  service.command('uninstall')
    .description(`Stop, disable and remove ${SERVICE_UNIT}, and turn settings.startAtLogin off`)
    .action(async () => {
      const current = await effective();
      if (current.locked && current.enabled) throw new Error(`start at login is on by ${current.source} policy; the service cannot be removed here`);
      if (existsSync(unitPath)) {
        const disable = deps.systemctl(['disable', '--now', SERVICE_UNIT]);
        rmSync(unitPath, { force: true });
        deps.systemctl(['daemon-reload']);
        out(`removed ${unitPath}${disable && disable.status === 0 ? ` (stopped and disabled ${SERVICE_UNIT})` : ''}`);
      } else {
        out(`no unit at ${unitPath}`);
      }
      await setStartAtLogin(false);
      out('settings.startAtLogin is off');
    });

  service.command('status')
    .description('Whether the daemon starts at login, who decides it, and the systemd unit')
    .action(async () => {
      const current = await effective();
      out(`start at login: ${current.enabled ? 'on' : 'off'} (${current.source === 'user' ? 'settings.startAtLogin' : current.source === 'default' ? 'default' : `${current.source} policy`}${current.locked ? ', locked' : ''})`);
      if (deps.platform !== 'linux') return;
      if (!existsSync(unitPath)) {
        out(`systemd unit: not installed (${unitPath})`);
        return;
      }
      const active = deps.systemctl(['is-active', SERVICE_UNIT]);
      const unit = readFileSync(unitPath, 'utf8');
      out(`systemd unit: ${unitPath} (${active ? active.output || 'unknown' : 'systemctl not installed'})`);
      out(`  ${unit.split('\n').find((l) => l.startsWith('ExecStart=')) ?? ''}`);
    });

  service.command('start-at-login <state>')
    .description('Turn settings.startAtLogin on or off (the desktop app mirrors it to the OS login item)')
    .action(async (state: string) => {
      if (state !== 'on' && state !== 'off') throw new Error(`expected "on" or "off", got "${state}"`);
      await setStartAtLogin(state === 'on');
      out(`settings.startAtLogin is ${state}`);
    });

  return service;
}
