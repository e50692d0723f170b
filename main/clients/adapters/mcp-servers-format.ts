// The JSON shape shared by the clients: a map of name → entry, where an entry is either a process
// (command/args/env) or a remote server (url or serverUrl, optional type, headers).
import type { JSONPath } from 'jsonc-parser';
import type { ClientEntry, LinkTarget } from '../adapter.ts';

export interface EntryFormat {
  /** Windsurf names the URL `serverUrl`; the others `url`. */
  urlKey: 'url' | 'serverUrl';
  /** VS Code and Claude Code write an explicit "type" ("stdio" / "http"). */
  writesType: boolean;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function readMcpEntry(raw: unknown): ClientEntry | string {
  if (!isObject(raw)) return 'the entry is not an object';
  const type = typeof raw.type === 'string' ? raw.type : undefined;
  if (typeof raw.command === 'string' && raw.command.length > 0 && (type === undefined || type === 'stdio')) {
    const args = Array.isArray(raw.args) ? raw.args.filter((a): a is string => typeof a === 'string') : [];
    return {
      kind: 'stdio', command: raw.command, args, env: stringMap(raw.env),
      ...(typeof raw.cwd === 'string' ? { cwd: raw.cwd } : {}),
    };
  }
  const url = typeof raw.url === 'string' ? raw.url : typeof raw.serverUrl === 'string' ? raw.serverUrl : undefined;
  if (url) {
    if (type !== undefined && !['http', 'streamable-http', 'streamableHttp', 'sse'].includes(type)) return `unsupported type "${type}"`;
    return { kind: 'remote', transport: type === 'sse' ? 'sse' : 'streamable-http', url, headers: stringMap(raw.headers) };
  }
  return type ? `unsupported type "${type}" or missing command/url` : 'the entry has neither "command" nor a URL';
}

export function linkedMcpEntry(target: LinkTarget, format: EntryFormat): Record<string, unknown> {
  if (target.kind === 'bridge') {
    return {
      ...(format.writesType ? { type: 'stdio' } : {}),
      command: target.command,
      args: target.args,
      ...(target.env && Object.keys(target.env).length > 0 ? { env: target.env } : {}),
    };
  }
  return {
    ...(format.writesType ? { type: 'http' } : {}),
    [format.urlKey]: target.url,
    headers: { Authorization: `Bearer ${target.token}` },
  };
}

/** The single top-level map most files use: {"mcpServers": {...}} or VS Code's {"servers": {...}}. */
export function topLevelMap(key: string): (data: unknown) => JSONPath[] {
  return (data) => (isObject(data) && isObject(data[key]) ? [[key]] : []);
}
