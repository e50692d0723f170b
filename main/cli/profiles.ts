// `switchboard profile list | show | create | edit | remove`: named tool surfaces, through the API
// (the running daemon's, or this process's own product), so a saved profile is checked the same
// way the UI's is (no two tools under one name, no widening of a profile policy ships).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiError } from '../../shared/api/define.ts';
import type { ProfileDetail, ProfilePreview } from '../../shared/api/profiles.ts';
import { ProfileSchema, type ProfileInput, type ProfileTool } from '../../shared/profiles.ts';
import { withApi, type ApiSessionOptions } from './api-session.ts';
import type { CliContext } from './context.ts';
import { columns, line, printer } from './output.ts';
import { collect, keyValues } from './parse-options.ts';

interface ProfileFlags {
  file?: string;
  description?: string;
  server: string[];
  include: string[];
  exclude: string[];
  visibility?: string;
  maxVisible?: string;
  mostUsed?: string;
  separator?: string;
  tool: string[];
  rename: string[];
  clear: string[];
}

const CLEARABLE = ['include', 'exclude', 'tools', 'maxVisible', 'mostUsed', 'description'] as const;

export function registerProfileCommands(program: Command, context: CliContext & ApiSessionOptions): void {
  const out = printer(context.stdout);
  const profile = program.command('profile').description('Profiles: named tool surfaces served at one endpoint (/mcp, `bridge --profile`)');

  profile.command('list')
    .description('Every profile: where it is defined, its servers, missing servers and who uses it')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { profiles } = await withApi(context, ({ api }) => api['profiles.list']({}));
      if (options.json) return out.json(profiles);
      context.stdout.write(columns([
        ['NAME', 'SOURCE', 'SERVERS', 'MISSING', 'USED BY'],
        ...profiles.map((p) => [
          p.name,
          p.narrowedBy.length > 0 ? `${p.source} (narrowed by ${p.narrowedBy.join(', ')})` : p.source,
          p.servers.join(', ') || '-',
          p.missing.map((m) => m.server).join(', ') || '-',
          [...p.usedBy.tokens.map((t) => `token ${t}`), ...p.usedBy.clients.map((c) => c.client)].join(', ') || '-',
        ]),
      ]));
    });

  profile.command('show <name>')
    .description('One profile: its definition, missing servers with why, who uses it, and what its clients see in tools/list')
    .option('--json', 'print JSON (the profile and the preview)')
    .action(async (name: string, options: { json?: boolean }) => {
      const [detail, preview] = await withApi(context, async ({ api }) => Promise.all([api['profiles.show']({ name }), api['profiles.preview']({ name })])).catch(plainError);
      if (options.json) return out.json({ ...detail, preview });
      printDetail(out, detail);
      printPreview(out, preview);
    });

  const withFlags = (command: Command): Command => command
    .option('--file <path>', 'the whole profile as JSON (the "profiles" entry of config.json); other flags change it')
    .option('--description <text>', 'what the profile is for')
    .option('--server <id>', 'a server of the profile (repeatable; replaces the list)', collect, [])
    .option('--include <glob>', 'only tools matching this glob over "<server>/<tool>" (repeatable; replaces the list)', collect, [])
    .option('--exclude <glob>', 'leave out tools matching this glob (repeatable; replaces the list)', collect, [])
    .option('--visibility <visible|deferred>', 'visibility of the tools not set one by one')
    .option('--max-visible <n>', 'at most this many tools visible; the rest deferred')
    .option('--most-used <n>', "make the N tools a client calls most visible")
    .option('--separator <text>', 'between server id and tool name (default "__")')
    .option('--tool <server/tool=visible|deferred>', 'visibility of one tool (repeatable)', collect, [])
    .option('--rename <server/tool=name>', 'the name clients see for one tool (repeatable)', collect, [])
    .option('--clear <field>', `remove a field (repeatable): ${CLEARABLE.join(', ')}`, collect, []);

  withFlags(profile.command('create <name>').description('Create a profile in config.json (checked: no two tools under one name)'))
    .action(async (name: string, flags: ProfileFlags) => {
      const input = applyFlags(flags.file ? readProfileFile(flags.file) : { name, servers: [] }, name, flags);
      const detail = await withApi(context, ({ api }) => api['profiles.create']({ profile: parsed(input) })).catch(plainError);
      out(line`created profile ${detail.name}: ${detail.servers.length} server(s)`);
      printMissing(out, detail);
    });

  withFlags(profile.command('edit <name>').description('Change a profile (a profile policy ships can only be narrowed)'))
    .action(async (name: string, flags: ProfileFlags) => {
      const detail = await withApi(context, async ({ api }) => {
        const base: ProfileInput = flags.file ? readProfileFile(flags.file) : await startingPoint(await api['profiles.show']({ name }));
        return api['profiles.edit']({ name, profile: parsed(applyFlags(base, name, flags)) });
      }).catch(plainError);
      out(line`saved profile ${detail.name}: ${detail.servers.length} server(s)`);
      printMissing(out, detail);
    });

  profile.command('remove <name>')
    .description('Remove a profile from config.json (refused while a token or a linked client uses it)')
    .action(async (name: string) => {
      const { removed } = await withApi(context, ({ api }) => api['profiles.remove']({ name })).catch(plainError);
      out(line`removed profile ${removed}`);
    });
}

/** What `edit` changes: the user's own entry, or for a shipped or built-in profile a new narrowing of it. */
async function startingPoint(detail: ProfileDetail): Promise<ProfileInput> {
  if (detail.configured) return detail.configured;
  return { name: detail.name, servers: detail.profile.servers };
}

function applyFlags(base: ProfileInput, name: string, flags: ProfileFlags): ProfileInput {
  const next: Record<string, unknown> = { ...base, name };
  for (const field of flags.clear) {
    if (!(CLEARABLE as readonly string[]).includes(field)) throw new Error(`--clear expects one of ${CLEARABLE.join(', ')}, got "${field}"`);
    delete next[field];
  }
  if (flags.description !== undefined) next.description = flags.description;
  if (flags.server.length > 0) next.servers = flags.server;
  if (flags.include.length > 0) next.include = flags.include;
  if (flags.exclude.length > 0) next.exclude = flags.exclude;
  if (flags.visibility !== undefined) next.visibility = flags.visibility;
  if (flags.maxVisible !== undefined) next.maxVisible = count(flags.maxVisible, '--max-visible');
  if (flags.mostUsed !== undefined) next.mostUsed = count(flags.mostUsed, '--most-used');
  if (flags.separator !== undefined) next.separator = flags.separator;
  const tools: Record<string, ProfileTool> = { ...(next.tools as Record<string, ProfileTool> | undefined) };
  for (const [key, visibility] of Object.entries(keyValues(flags.tool, '--tool'))) {
    if (visibility !== 'visible' && visibility !== 'deferred') throw new Error(`--tool expects <server>/<tool>=visible or =deferred, got "${key}=${visibility}"`);
    tools[key] = { ...tools[key], visibility };
  }
  for (const [key, exposed] of Object.entries(keyValues(flags.rename, '--rename'))) tools[key] = { ...tools[key], name: exposed };
  for (const key of Object.keys(tools)) {
    if (!/^[^/]+\/.+$/.test(key)) throw new Error(`tools are named "<server id>/<tool name>", got "${key}"`);
  }
  if (Object.keys(tools).length > 0) next.tools = tools;
  if (!Array.isArray(next.servers) || next.servers.length === 0) throw new Error(`profile "${name}" needs at least one server: --server <id> (repeatable)`);
  return next as ProfileInput;
}

/** The profile as the API takes it; a bad field is named here, before anything is sent. */
function parsed(input: ProfileInput) {
  const result = ProfileSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid profile: ${result.error.issues.map((i) => `${i.path.join('.') || 'profile'}: ${i.message}`).join('; ')}`);
  return result.data;
}

function count(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} expects a whole number greater than 0, got "${value}"`);
  return n;
}

function readProfileFile(file: string): ProfileInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as ProfileInput;
  } catch (error) {
    throw new Error(`--file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function printDetail(out: ReturnType<typeof printer>, detail: ProfileDetail): void {
  out(line`profile ${detail.name} (${detail.source}${detail.narrowedBy.length > 0 ? `, narrowed by ${detail.narrowedBy.join(', ')}` : ''})`);
  if (detail.description) out(line`  ${detail.description}`);
  out(line`  servers: ${detail.servers.join(', ') || 'none'}`);
  printMissing(out, detail);
  for (const note of detail.ignored) out(line`  ignored (would widen the shipped profile): ${note}`);
  const users = [...detail.usedBy.tokens.map((t) => `token ${t}`), ...detail.usedBy.clients.map((c) => `${c.client} ${c.file}`)];
  out(line`  used by: ${users.join(', ') || 'nobody yet'}`);
}

function printMissing(out: ReturnType<typeof printer>, detail: { missing: Array<{ server: string; reason: string }> }): void {
  for (const m of detail.missing) out(line`  missing ${m.server}: ${m.reason}`);
}

function printPreview(out: ReturnType<typeof printer>, preview: ProfilePreview): void {
  const { counts } = preview;
  out(line`  tools/list: ${counts.visible} visible${counts.maxVisible !== undefined ? ` (cap ${counts.maxVisible})` : ''}, ${counts.deferred} deferred, ${counts.excluded} excluded`);
  for (const tool of preview.listed) out(line`    ${tool.name}`);
  const deferred = preview.tools.filter((t) => t.visibility === 'deferred');
  if (deferred.length > 0) out(line`  deferred (find_tools, load_tools, call_tool): ${deferred.map((t) => t.exposedName).join(', ')}`);
  const fromPins = Object.entries(preview.toolsFrom).filter(([, from]) => from !== 'live').map(([id, from]) => `${id} (${from === 'pins' ? 'tools last seen' : 'never seen: start it'})`);
  if (fromPins.length > 0) out(line`  not running: ${fromPins.join(', ')}`);
}

/** The API's message is already in CLI terms (it names the commands). */
function plainError(error: unknown): never {
  throw error instanceof ApiError ? new Error(error.message) : error;
}
