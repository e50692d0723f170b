// Turns a server's config into what is actually launched or sent, resolving { secret } references
// at that moment only: the env of a stdio child, the headers of a remote request.
import type { ServerConfig } from '../../shared/config.ts';
import { resolveValueMap, type ResolveSecret } from './resolve-secrets.ts';

export type ResolvedLaunch =
  | { kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  | { kind: 'remote'; transport: 'streamable-http' | 'sse'; url: string; headers: Record<string, string> };

export async function resolveServerLaunch(server: ServerConfig, resolve: ResolveSecret): Promise<ResolvedLaunch> {
  if (server.transport === 'stdio') {
    return {
      kind: 'stdio', command: server.command, args: server.args,
      env: await resolveValueMap(server.env, resolve, server.id),
      ...(server.cwd ? { cwd: server.cwd } : {}),
    };
  }
  return { kind: 'remote', transport: server.transport, url: server.url, headers: await resolveValueMap(server.headers, resolve, server.id) };
}
