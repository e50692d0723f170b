// Where linked entries point: the `switchboard bridge <id>` command line for spawn-only clients and
// the loopback URL /mcp/<id> for the others. The lead decides the final bridge command line; it is
// injected here as a function.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LinkEndpoint {
  bridgeCommand(serverId: string): { command: string; args: string[]; env?: Record<string, string> };
  url(serverId: string): string;
  /** True for an entry that already goes through the app (never imported as a server). */
  pointsHere(entry: { command?: string; args?: string[]; url?: string }): boolean;
}

export interface DefaultLinkEndpointOptions {
  dataDir: string;
  httpPort: number;
  /** Absolute path of node (default: the running one). */
  nodePath?: string;
  /** Absolute path of bin/switchboard.js (default: this checkout's). */
  binPath?: string;
}

export const REPO_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'switchboard.js');

export function createLinkEndpoint(options: DefaultLinkEndpointOptions): LinkEndpoint {
  const nodePath = options.nodePath ?? process.execPath;
  const binPath = options.binPath ?? REPO_BIN;
  const base = `http://127.0.0.1:${options.httpPort}/mcp/`;
  return {
    bridgeCommand: (serverId) => ({
      command: nodePath,
      args: [binPath, 'bridge', serverId, '--data-dir', options.dataDir],
      // In the packaged app the running binary is Electron: it must start as plain Node.
      ...(process.versions.electron ? { env: { ELECTRON_RUN_AS_NODE: '1' } } : {}),
    }),
    url: (serverId) => {
      if (options.httpPort === 0) throw new Error('the HTTP endpoint has no fixed port (settings.httpPort is 0); set one before linking URL clients');
      return `${base}${encodeURIComponent(serverId)}`;
    },
    // Any port and any checkout: an entry linked by an earlier install still goes through the app.
    pointsHere: (entry) => /^http:\/\/(127\.0\.0\.1|localhost):\d+\/mcp\/[^/]+$/.test(entry.url ?? '')
      || ((entry.args ?? []).some((a) => /switchboard(\.js|\.ts)?$/.test(a)) && (entry.args ?? []).includes('bridge')),
  };
}
