// What a client does with an entry of its file: the process it spawns (command, args, env) or the
// URL and headers it connects with. Tests use it to run a linked entry exactly as the client would.
import type { ClientAdapter } from './adapter.ts';
import { readJsoncDocument, valueAt } from './jsonc-document.ts';

export type LaunchSpec =
  | { kind: 'spawn'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  | { kind: 'http'; transport: 'streamable-http' | 'sse'; url: string; headers: Record<string, string> };

export function launchSpecOf(adapter: ClientAdapter, rawEntry: unknown): LaunchSpec {
  const entry = adapter.readEntry(rawEntry);
  if (typeof entry === 'string') throw new Error(`${adapter.displayName} cannot use this entry: ${entry}`);
  if (entry.kind === 'stdio') return { kind: 'spawn', command: entry.command, args: entry.args, env: entry.env, ...(entry.cwd ? { cwd: entry.cwd } : {}) };
  return { kind: 'http', transport: entry.transport, url: entry.url, headers: entry.headers };
}

/** Reads the entry at `entryPath` (e.g. ["mcpServers", "github"]) from the client's file as it is now. */
export async function launchSpecFromFile(adapter: ClientAdapter, file: string, entryPath: Array<string | number>): Promise<LaunchSpec> {
  const doc = await readJsoncDocument(file);
  const raw = valueAt(doc.data, entryPath);
  if (raw === undefined) throw new Error(`${file} has no entry at ${JSON.stringify(entryPath)}`);
  return launchSpecOf(adapter, raw);
}
