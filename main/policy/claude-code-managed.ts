// One allowlist for every client: Claude Code (and GitHub Copilot) read IT's managed-settings.json,
// whose `allowedMcpServers` and `deniedMcpServers` are lists of single-key objects:
//   { "serverName": "github" }                       the name the server has in the client's config
//   { "serverUrl": "https://*.example.com/*" }       a remote URL, "*" matching any run of characters
//   { "serverCommand": ["npx", "-y", "pkg"] }        the exact argv of a stdio server, in order
// (code.claude.com/docs/en/managed-mcp, "Restriction options"). This file maps them to and from
// policy server entries (shared/policy.ts ServerMatcherSchema):
//   serverName    → { server: <name, glob-escaped> }   the server id in Switchboard; managed-mcp.json
//                   lists servers under their Switchboard ids, so the two names are the same
//   serverUrl     → { url: <glob> }   "*" filling a whole path segment becomes "**", any other "*"
//                   stays "*"; every other glob character is escaped
//   serverCommand → { command: <argv[0]>, args: [<argv[1..]>] }, each escaped: exact, length included
// What does not map exactly is said in `notes` (import) or skipped with why (export).
import { SERVER_ID_PATTERN } from '../../shared/config.ts';
import type { ServerMatcher } from '../../shared/policy.ts';

export type ClaudeCodeEntry = { serverName: string } | { serverUrl: string } | { serverCommand: string[] };
export type ClaudeCodeListName = 'allowedMcpServers' | 'deniedMcpServers';
export const CLAUDE_CODE_LISTS: readonly ClaudeCodeListName[] = ['allowedMcpServers', 'deniedMcpServers'];
const ENTRY_KEYS = ['serverName', 'serverUrl', 'serverCommand'] as const;

export interface ClaudeCodeLists {
  allowedMcpServers?: ClaudeCodeEntry[];
  deniedMcpServers?: ClaudeCodeEntry[];
}

export class ClaudeCodeSettingsError extends Error {
  override readonly name = 'ClaudeCodeSettingsError';
}

/**
 * The two lists of a managed-settings.json. Every problem is reported at once, each naming its
 * entry ("allowedMcpServers[2]"); other keys of the file (permissions, env, …) are left alone.
 */
export function parseClaudeCodeSettings(text: string, file: string): ClaudeCodeLists {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ClaudeCodeSettingsError(`${file} is not valid JSON (${(error as Error).message}); managed-settings.json is plain JSON, without comments`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ClaudeCodeSettingsError(`${file} must hold a JSON object (Claude Code's managed settings), not ${describeValue(data)}`);
  const problems: string[] = [];
  const lists: ClaudeCodeLists = {};
  for (const list of CLAUDE_CODE_LISTS) {
    const value = (data as Record<string, unknown>)[list];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      problems.push(`${list}: must be a list of entries, not ${describeValue(value)}`);
      continue;
    }
    const entries: ClaudeCodeEntry[] = [];
    value.forEach((raw, i) => {
      const entry = parseEntry(raw, `${list}[${i}]`, problems);
      if (entry) entries.push(entry);
    });
    lists[list] = entries;
  }
  if (problems.length > 0) throw new ClaudeCodeSettingsError(`${file} has ${problems.length === 1 ? 'a bad entry' : `${problems.length} bad entries`}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return lists;
}

function parseEntry(raw: unknown, where: string, problems: string[]): ClaudeCodeEntry | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${where}: must be an object with one of serverName, serverUrl or serverCommand, not ${describeValue(raw)}`);
    return undefined;
  }
  const keys = Object.keys(raw);
  const unknown = keys.filter((k) => !(ENTRY_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    problems.push(`${where}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (an entry takes exactly one of serverName, serverUrl, serverCommand)`);
    return undefined;
  }
  if (keys.length !== 1) {
    problems.push(keys.length === 0
      ? `${where}: empty entry (it takes exactly one of serverName, serverUrl, serverCommand)`
      : `${where}: has ${keys.join(' and ')}; an entry takes exactly one of serverName, serverUrl, serverCommand (write one entry for each)`);
    return undefined;
  }
  const record = raw as Record<string, unknown>;
  if ('serverCommand' in record) {
    const argv = record.serverCommand;
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string') || argv[0] === '') {
      problems.push(`${where}: serverCommand must be a non-empty list of strings, the command then its arguments (e.g. ["npx", "-y", "@modelcontextprotocol/server-filesystem"])`);
      return undefined;
    }
    return { serverCommand: argv as string[] };
  }
  const key = keys[0] as 'serverName' | 'serverUrl';
  const value = record[key];
  if (typeof value !== 'string' || value === '') {
    problems.push(`${where}: ${key} must be a non-empty string, not ${describeValue(value)}`);
    return undefined;
  }
  return key === 'serverName' ? { serverName: value } : { serverUrl: value };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

export function describeEntry(entry: ClaudeCodeEntry): string {
  if ('serverName' in entry) return `serverName ${entry.serverName}`;
  if ('serverUrl' in entry) return `serverUrl ${entry.serverUrl}`;
  return `serverCommand ${JSON.stringify(entry.serverCommand)}`;
}

// ---- glob text ----

// Extglobs are off (GLOB_OPTIONS), so "@", "+" are plain; "!" is special only first.
const GLOB_SPECIAL = new Set(['\\', '*', '?', '[', ']', '{', '}', '(', ')', '|']);

/** A glob that matches exactly `text` ("..." as an argument is escaped too: a final "..." is a wildcard in `args`). */
export function literalGlob(text: string): string {
  if (text === '...') return '\\.\\.\\.';
  let out = '';
  for (const [i, c] of [...text].entries()) out += GLOB_SPECIAL.has(c) || (c === '!' && i === 0) ? `\\${c}` : c;
  return out;
}

/** The text a glob matches when it has no wildcard; undefined when it has one. */
export function globLiteral(glob: string): string | undefined {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      if (i + 1 < glob.length) out += glob[++i];
      continue;
    }
    if (c === '*' || c === '?' || c === '[' || c === '{' || c === '(' || (c === '!' && i === 0)) return undefined;
    out += c;
  }
  return out;
}

/** Claude Code's URL pattern as a policy URL glob: "*" filling a whole path segment crosses "/" ("**"). */
export function urlPatternToGlob(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== '*') {
      out += GLOB_SPECIAL.has(c) ? `\\${c}` : c;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === '*') run++;
    const wholeSegment = pattern[i - 1] === '/' && (i + run === pattern.length || pattern[i + run] === '/');
    out += wholeSegment ? '**' : '*';
    i += run - 1;
  }
  return out;
}

/** A policy URL glob as Claude Code's URL pattern, or why it has none ("?", classes, braces). */
export function globToUrlPattern(glob: string): { pattern: string } | { why: string } {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      const next = glob[i + 1];
      if (next === '*') return { why: 'it matches a literal "*", which Claude Code\'s serverUrl reads as a wildcard' };
      if (next !== undefined) out += next;
      i++;
      continue;
    }
    if (c === '*') {
      while (glob[i + 1] === '*') i++;
      out += '*';
      continue;
    }
    if (c === '?' || c === '[' || c === '{' || c === '(' || (c === '!' && i === 0)) return { why: `it uses "${c}" glob syntax; Claude Code's serverUrl has only "*"` };
    out += c;
  }
  return { pattern: out };
}

// ---- import ----

export interface ImportedEntry {
  readonly list: ClaudeCodeListName;
  readonly entry: ClaudeCodeEntry;
  readonly matcher: ServerMatcher;
  /** How the policy entry differs from what Claude Code would do, when it does. */
  readonly notes: readonly string[];
}

export interface SkippedEntry {
  readonly list: ClaudeCodeListName;
  readonly entry: ClaudeCodeEntry;
  readonly why: string;
}

export interface ClaudeCodeImport {
  /** The `servers` section of a policy document. */
  readonly servers: { allow?: ServerMatcher[]; deny?: ServerMatcher[] };
  readonly imported: readonly ImportedEntry[];
  readonly skipped: readonly SkippedEntry[];
  /** Notes about the lists as a whole. */
  readonly notes: readonly string[];
}

export interface ImportOptions {
  /** True for an entry that is Switchboard's own bridge command (written by export for managed-mcp.json). */
  readonly isBridgeCommand?: (argv: readonly string[]) => boolean;
}

export function importClaudeCodeLists(lists: ClaudeCodeLists, options: ImportOptions = {}): ClaudeCodeImport {
  const imported: ImportedEntry[] = [];
  const skipped: SkippedEntry[] = [];
  const servers: { allow?: ServerMatcher[]; deny?: ServerMatcher[] } = {};
  for (const list of CLAUDE_CODE_LISTS) {
    const entries = lists[list];
    if (entries === undefined) continue;
    const matchers: ServerMatcher[] = [];
    for (const entry of entries) {
      const result = importEntry(entry, options);
      if ('why' in result) skipped.push({ list, entry, why: result.why });
      else {
        matchers.push(result.matcher);
        imported.push({ list, entry, matcher: result.matcher, notes: result.notes });
      }
    }
    // Present but empty stays: Claude Code then allows no server, and so does an empty servers.allow.
    servers[list === 'allowedMcpServers' ? 'allow' : 'deny'] = matchers;
  }
  const notes: string[] = [];
  const allowed = lists.allowedMcpServers ?? [];
  if (allowed.some((e) => 'serverName' in e) && allowed.some((e) => !('serverName' in e))) {
    notes.push('allowedMcpServers mixes serverName with serverUrl/serverCommand entries: Claude Code then ignores serverName for the transports the others cover; in policy every entry admits on its own');
  }
  if (allowed.length > 0 && allowed.every((e) => 'serverName' in e)) {
    notes.push('the allowlist names servers only: a name is the user\'s choice (in Switchboard: the server id), so it is not a security control on its own; add serverUrl or serverCommand entries, or registryName/package entries in the policy');
  }
  return { servers, imported, skipped, notes };
}

function importEntry(entry: ClaudeCodeEntry, options: ImportOptions): { matcher: ServerMatcher; notes: string[] } | { why: string } {
  const id = `claude-code ${describeEntry(entry)}`.slice(0, 200);
  if ('serverName' in entry) {
    if (!SERVER_ID_PATTERN.test(entry.serverName)) return { why: `"${entry.serverName}" can never be a Switchboard server id (1-64 letters, digits, ".", "_" or "-"), so the entry would match nothing` };
    return { matcher: { id, server: literalGlob(entry.serverName) }, notes: ['matches the Switchboard server id, which the user chooses (as Claude Code\'s own docs warn of serverName)'] };
  }
  if ('serverUrl' in entry) {
    const notes: string[] = [];
    if (/[^/]\*|\*[^/]/.test(entry.serverUrl.replace(/\/\*+(?=\/|$)/g, '/'))) notes.push('a "*" inside a URL part stays within that part ("/" is not crossed), where Claude Code\'s "*" crosses it');
    if (/[?#]/.test(entry.serverUrl)) notes.push('Switchboard matches URLs without their query and fragment');
    notes.push('host names are compared case-sensitively');
    return { matcher: { id, url: urlPatternToGlob(entry.serverUrl) }, notes };
  }
  const argv = entry.serverCommand;
  if (options.isBridgeCommand?.(argv)) return { why: 'it is Switchboard\'s own bridge command (policy export adds one per server of managed-mcp.json so they pass Claude Code\'s allowlist), not a server' };
  return { matcher: { id, command: literalGlob(argv[0]!), args: argv.slice(1).map(literalGlob) }, notes: [] };
}

// ---- export ----

export interface ExportedEntry {
  readonly list: ClaudeCodeListName;
  readonly name: string;
  readonly entry: ClaudeCodeEntry;
}

export interface UnexportedMatcher {
  readonly list: ClaudeCodeListName;
  readonly name: string;
  readonly why: string;
}

export interface ClaudeCodeExport {
  readonly lists: ClaudeCodeLists;
  readonly exported: readonly ExportedEntry[];
  readonly skipped: readonly UnexportedMatcher[];
}

/** Policy server entries as Claude Code lists. `allow` undefined: no allowlist (allowedMcpServers is left out). */
export function exportClaudeCodeLists(servers: { allow?: readonly ServerMatcher[]; deny?: readonly ServerMatcher[] }): ClaudeCodeExport {
  const exported: ExportedEntry[] = [];
  const skipped: UnexportedMatcher[] = [];
  const lists: ClaudeCodeLists = {};
  for (const [list, matchers] of [['allowedMcpServers', servers.allow], ['deniedMcpServers', servers.deny]] as const) {
    if (matchers === undefined) continue;
    const entries: ClaudeCodeEntry[] = [];
    for (const matcher of matchers) {
      const name = matcher.id ?? describeMatcher(matcher);
      const result = exportMatcher(matcher);
      if ('why' in result) skipped.push({ list, name, why: result.why });
      else {
        entries.push(result.entry);
        exported.push({ list, name, entry: result.entry });
      }
    }
    lists[list] = entries;
  }
  return { lists, exported, skipped };
}

function describeMatcher(m: ServerMatcher): string {
  return Object.entries(m).filter(([k]) => k !== 'id').map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
}

function exportMatcher(m: ServerMatcher): { entry: ClaudeCodeEntry } | { why: string } {
  const fields = (['server', 'registryName', 'package', 'command', 'url'] as const).filter((f) => m[f] !== undefined);
  if (m.registryName !== undefined) return { why: 'Claude Code has no registry-name matcher (its servers reach Switchboard through managed-mcp.json, where this entry still applies)' };
  if (m.package !== undefined) return { why: 'Claude Code has no package matcher (a package in any launch command, with a version range); managed-mcp.json routes its servers through Switchboard, where this entry still applies' };
  if (fields.length > 1) return { why: `it combines ${fields.join(' and ')} (all must match); a Claude Code entry has exactly one of serverName, serverUrl, serverCommand` };
  if (m.server !== undefined) {
    const name = globLiteral(m.server);
    return name === undefined ? { why: `the server glob "${m.server}" has wildcards; Claude Code's serverName is an exact name` } : { entry: { serverName: name } };
  }
  if (m.url !== undefined) {
    const result = globToUrlPattern(m.url);
    return 'why' in result ? { why: `the URL glob "${m.url}" cannot be written for Claude Code: ${result.why}` } : { entry: { serverUrl: result.pattern } };
  }
  if (m.args === undefined) return { why: 'a command without its arguments matches any arguments; Claude Code\'s serverCommand is the exact command line' };
  const argv = [m.command!, ...m.args].map((g) => (g === '\\.\\.\\.' ? '...' : globLiteral(g)));
  if (m.args.at(-1) === '...' || argv.some((a) => a === undefined)) return { why: 'the command or its arguments have wildcards (or a final "..."); Claude Code\'s serverCommand is the exact command line' };
  return { entry: { serverCommand: argv as string[] } };
}

/** managed-mcp.json: every server a bridge command through Switchboard (the `.mcp.json` format). */
export function managedMcpJson(servers: ReadonlyArray<{ id: string; command: string; args: readonly string[] }>): { mcpServers: Record<string, { command: string; args: string[] }> } {
  const mcpServers: Record<string, { command: string; args: string[] }> = {};
  for (const server of servers) mcpServers[server.id] = { command: server.command, args: [...server.args] };
  return { mcpServers };
}

/** Where Claude Code reads the managed files (code.claude.com/docs/en/managed-mcp). */
export const CLAUDE_CODE_MANAGED_DIRS = {
  linux: '/etc/claude-code/',
  darwin: '/Library/Application Support/ClaudeCode/',
  win32: 'C:\\Program Files\\ClaudeCode\\',
} as const;
