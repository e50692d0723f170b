// `switchboard server sandbox <id> [show|set …]`: a stdio server's sandbox profile, through the
// API (main/cli/api-session.ts); and
// `server add … --sandbox`, which gives a new stdio server the profile suggested from its command.
import type { Command } from 'commander';
import { ApiError } from '../../shared/api/define.ts';
import type { ServerSandbox, ServerStatus } from '../../shared/api/servers.ts';
import { salientStderr } from '../../shared/stderr-tail.ts';
import { SandboxNetworkSchema, type SandboxProfile } from '../../shared/sandbox.ts';
import { editProfile, type SandboxEdit } from '../sandbox/sandbox-view.ts';
import { withApi } from './api-session.ts';
import type { CliContext } from './context.ts';
import { line, printer } from './output.ts';

interface SetOptions {
  suggest?: boolean;
  enable?: boolean;
  disable?: boolean;
  network?: string;
  readOnly: string[];
  readWrite: string[];
  remove: string[];
  clear?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSandboxCommands(program: Command, context: CliContext): void {
  const out = printer(context.stdout);
  const server = program.commands.find((c) => c.name() === 'server') ?? program.command('server').description('Configure MCP servers');

  // Through the API: the running daemon (which restarts the server with the profile) or the CLI's
  // in-process product; either checks the paths and the server the same way.
  const plain = (error: unknown): never => {
    throw error instanceof ApiError ? new Error(error.message) : error;
  };
  const read = (id: string): Promise<ServerSandbox> => withApi(context, ({ api }) => api['servers.sandbox']({ id })).catch(plain);
  const write = (id: string, profile: SandboxProfile | null): Promise<ServerSandbox> => withApi(context, ({ api }) => api['servers.setSandbox']({ id, sandbox: profile })).catch(plain);

  server.command('sandbox <id> [action]')
    .description('Show (default) or set a stdio server\'s sandbox profile: `server sandbox <id> set --suggest`, `set --network none --read-write ~/data`')
    .option('--suggest', 'set: start from the profile suggested from the command (package runner caches, the package, folder arguments)')
    .option('--enable', 'set: run the server in the sandbox')
    .option('--disable', 'set: keep the profile but run the server unconfined (policy may refuse it)')
    .option('--network <none|all>', 'set: network inside the sandbox')
    .option('--read-only <path>', 'set: add a path the server may read (repeatable)', collect, [])
    .option('--read-write <path>', 'set: add a path the server may read and write (repeatable)', collect, [])
    .option('--remove <path>', 'set: take a path out of the profile (repeatable)', collect, [])
    .option('--clear', 'set: remove the profile (the server runs unconfined)')
    .option('--json', 'print JSON')
    .action(async (id: string, action: string | undefined, options: SetOptions) => {
      if (action === undefined || action === 'show') {
        const view = await read(id);
        return options.json ? out.json(view) : out(formatSandbox(view));
      }
      if (action !== 'set') throw new Error(`unknown action "${action}": use \`server sandbox ${id} show\` or \`server sandbox ${id} set …\``);
      if (options.enable && options.disable) throw new Error('--enable and --disable contradict each other');
      let network: SandboxProfile['network'] | undefined;
      if (options.network !== undefined) {
        const parsed = SandboxNetworkSchema.safeParse(options.network);
        if (!parsed.success) throw new Error(`--network takes "none" or "all", not "${options.network}"`);
        network = parsed.data;
      }
      const edit: SandboxEdit = {
        ...(options.suggest ? { suggest: true } : {}),
        ...(options.enable ? { enable: true } : options.disable ? { enable: false } : {}),
        ...(network ? { network } : {}),
        readOnly: options.readOnly,
        readWrite: options.readWrite,
        remove: options.remove,
      };
      const noChange = !options.clear && !options.suggest && edit.enable === undefined && !network && !options.readOnly.length && !options.readWrite.length && !options.remove.length;
      if (noChange) throw new Error('nothing to set: give --suggest, --enable, --disable, --network, --read-only, --read-write, --remove or --clear');
      const current = await read(id);
      if (current.state === 'remote') throw new Error(`server '${id}' is remote: it is reached over the network, and no sandbox applies to it`);
      const next = options.clear ? null : editProfile(current.profile ?? undefined, edit, current.suggested);
      const view = await write(id, next);
      return options.json ? out.json(view) : out(formatSandbox(view));
    });

  // `server add <id> --sandbox -- <command…>`: the suggested profile, once the server exists.
  const add = server.commands.find((c) => c.name() === 'add');
  if (add) {
    add.option('--sandbox', 'run the new stdio server in the OS sandbox with the profile suggested from its command (see `server sandbox <id>`)');
    add.hook('postAction', async (command) => {
      if (!command.opts<{ sandbox?: boolean }>().sandbox) return;
      const id = command.args[0]!;
      const current = await read(id);
      if (current.state === 'remote' || !current.suggested) throw new Error(`server '${id}' is remote: --sandbox applies to stdio servers only`);
      out(formatSandbox(await write(id, current.suggested)));
    });
  }
}

export function formatSandbox(view: ServerSandbox): string {
  const lines = [line`server: ${view.id}`, line`state: ${view.state}`];
  if (!view.support.available) lines.push(line`this machine: ${view.support.message ?? 'no sandbox available'}`);
  const show = (label: string, profile: SandboxProfile) => {
    lines.push(line`${label}: ${profile.enabled ? 'enabled' : 'disabled'}, network ${profile.network}`);
    lines.push(line`  read-only: ${profile.readOnly.length ? profile.readOnly.join(', ') : '(none)'}`);
    lines.push(line`  read-write: ${profile.readWrite.length ? profile.readWrite.join(', ') : '(none)'}`);
  };
  if (view.profile) show('profile', view.profile);
  else if (view.state !== 'remote') lines.push('profile: none (the server runs unconfined)');
  if (view.suggested && !view.profile) {
    show('suggested', view.suggested);
    lines.push(line`apply it with \`switchboard server sandbox ${view.id} set --suggest\``);
  }
  if (view.state !== 'remote') lines.push('plus, read-only: the runtime (/usr, the command\'s install, needed files of /etc); a fresh /tmp; nothing else of the home folder');
  return lines.join('\n');
}

/**
 * What `status` adds to a server's line: how it runs, and for a sandboxed server that failed, the
 * end of its stderr with a hint to widen the profile (it fails as it would on a read-only system).
 */
export function sandboxStatusLines(status: Pick<ServerStatus, 'id' | 'state' | 'sandbox' | 'stderrTail'>): string {
  if (!status.sandbox || status.sandbox === 'remote') return '';
  let text = line`\t[${status.sandbox}]`;
  const confined = status.sandbox.startsWith('bwrap') || status.sandbox.startsWith('sandbox-exec');
  if (confined && status.state === 'failed') {
    for (const tail of salientStderr(status.stderrTail)) text += line`\n      stderr: ${tail}`;
    text += line`\n      it runs in a sandbox: if it needs a path or the network, widen its profile (\`switchboard server sandbox ${status.id} set --read-write <path>\` or \`--network all\`)`;
  }
  return text;
}
