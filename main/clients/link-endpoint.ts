// Where linked entries point: the `switchboard bridge <id>` command line for spawn-only clients and
// the loopback URL /mcp/<id> for the others. The lead decides the final bridge command line; it is
// injected here as a function.
//
// A URL link always names the configured port (settings.httpPort), never the port one run of the
// daemon happens to listen on (`serve --port N`, or a free port for 0): the client keeps the URL
// across restarts, so it must name the port every restart listens on.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGED_CLI_FLAG } from '../../shared/packaged-cli.ts';

export interface LinkEndpoint {
  bridgeCommand(serverId: string): { command: string; args: string[]; env?: Record<string, string> };
  /** Throws, saying why and what to do, when URL links cannot be made now (no stable port). */
  checkUrlLinks(): void;
  /** The URL a client is linked to; throws like checkUrlLinks. */
  url(serverId: string): string;
  /** The URL a linked entry should have, on the configured port; undefined when no port is configured. For drift checks. */
  stableUrl(serverId: string): string | undefined;
  /** `switchboard bridge --profile <name>`: a profile's stdio form. */
  profileBridgeCommand(profile: string): { command: string; args: string[]; env?: Record<string, string> };
  /** The federated endpoint (/mcp) a profile link points at; the token says which profile. Throws like checkUrlLinks. */
  profileUrl(): string;
  /** The /mcp URL on the configured port; undefined when no port is configured. */
  stableProfileUrl(): string | undefined;
  /** True for an entry that already goes through the app (never imported as a server). */
  pointsHere(entry: { command?: string; args?: string[]; url?: string }): boolean;
}

export interface DefaultLinkEndpointOptions {
  dataDir: string;
  /** The configured port, settings.httpPort (0: none configured, a free port each start). */
  httpPort: number;
  /** The port the running daemon listens on, when one runs; URL links are refused while it differs from httpPort. */
  listeningPort?: number;
  /** Absolute path of node (default: the running one). */
  nodePath?: string;
  /** Absolute path of bin/switchboard.js (default: this checkout's). */
  binPath?: string;
  /** The daemon runs in the packaged Electron app (default: when Electron runs this). */
  packaged?: boolean;
}

export const REPO_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'switchboard.js');

/** URL clients cannot be linked while the daemon's port is not the stable, configured one. */
export class LinkPortError extends Error {
  override readonly name = 'LinkPortError';
}

export function createLinkEndpoint(options: DefaultLinkEndpointOptions): LinkEndpoint {
  const nodePath = options.nodePath ?? process.execPath;
  const binPath = options.binPath ?? REPO_BIN;
  const packaged = options.packaged ?? process.versions.electron !== undefined;
  const { httpPort, listeningPort } = options;
  const configFile = path.join(options.dataDir, 'config.json');
  const stableUrl = (serverId: string): string | undefined => (httpPort === 0 ? undefined : `http://127.0.0.1:${httpPort}/mcp/${encodeURIComponent(serverId)}`);
  const stableProfileUrl = (): string | undefined => (httpPort === 0 ? undefined : `http://127.0.0.1:${httpPort}/mcp`);
  const checkUrlLinks = (): void => {
    if (httpPort === 0) {
      throw new LinkPortError(`the HTTP endpoint has no fixed port (settings.httpPort is 0${listeningPort ? `; this run of the daemon picked ${listeningPort}, which the next start will not reuse` : ''}); set one (settings.httpPort in ${configFile}) before linking URL clients`);
    }
    if (listeningPort !== undefined && listeningPort !== 0 && listeningPort !== httpPort) {
      throw new LinkPortError(`the daemon listens on port ${listeningPort} (started with --port), not on the configured port ${httpPort} (settings.httpPort); `
        + `a URL client linked now would lose the daemon at the next start. Restart the daemon without --port, or set settings.httpPort to ${listeningPort} in ${configFile} and restart it, then link again`);
    }
  };
  return {
    // In the packaged app the running binary is Electron, whose runAsNode fuse is off: it runs the
    // CLI itself when told so by its first argument (main/app/cli-mode.ts).
    bridgeCommand: (serverId) => ({
      command: nodePath,
      args: [packaged ? PACKAGED_CLI_FLAG : binPath, 'bridge', serverId, '--data-dir', options.dataDir],
    }),
    profileBridgeCommand: (profile) => ({
      command: nodePath,
      args: [packaged ? PACKAGED_CLI_FLAG : binPath, 'bridge', '--profile', profile, '--data-dir', options.dataDir],
    }),
    profileUrl: () => {
      checkUrlLinks();
      return stableProfileUrl()!;
    },
    stableProfileUrl,
    checkUrlLinks,
    url: (serverId) => {
      checkUrlLinks();
      return stableUrl(serverId)!;
    },
    stableUrl,
    // Any port and any checkout: an entry linked by an earlier install still goes through the app.
    pointsHere: (entry) => /^http:\/\/(127\.0\.0\.1|localhost):\d+\/mcp(\/[^/]+)?$/.test(entry.url ?? '')
      || ((entry.args ?? []).some((a) => /switchboard(\.js|\.ts)?$/.test(a) || a === PACKAGED_CLI_FLAG) && (entry.args ?? []).includes('bridge')),
  };
}

/** A link endpoint that reads both ports when it is used, so a port set a moment ago counts. */
export function createLiveLinkEndpoint(options: { dataDir: string; configuredPort: () => number; listeningPort: () => number | undefined }): LinkEndpoint {
  const now = () => {
    const listeningPort = options.listeningPort();
    return createLinkEndpoint({ dataDir: options.dataDir, httpPort: options.configuredPort(), ...(listeningPort !== undefined ? { listeningPort } : {}) });
  };
  return {
    bridgeCommand: (serverId) => now().bridgeCommand(serverId),
    checkUrlLinks: () => now().checkUrlLinks(),
    url: (serverId) => now().url(serverId),
    stableUrl: (serverId) => now().stableUrl(serverId),
    profileBridgeCommand: (profile) => now().profileBridgeCommand(profile),
    profileUrl: () => now().profileUrl(),
    stableProfileUrl: () => now().stableProfileUrl(),
    pointsHere: (entry) => now().pointsHere(entry),
  };
}
