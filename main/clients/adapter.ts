// What one AI client looks like to the app: where its config files are on each OS, where servers
// sit inside them, how an entry reads, and what a linked entry looks like.
import path from 'node:path';
import type { JSONPath } from 'jsonc-parser';
import type { ClientId } from '../../shared/clients.ts';

/** Where to look. Injectable so tests (and the UI's "other user folder") never touch the real home. */
export interface ClientEnvironment {
  platform: NodeJS.Platform;
  home: string;
  /** %APPDATA% on Windows (default <home>\AppData\Roaming). */
  appData?: string;
  /** $XDG_CONFIG_HOME on Linux (default <home>/.config). */
  xdgConfigHome?: string;
  /** Project folders whose project-scoped files (.cursor/mcp.json, .vscode/mcp.json, .mcp.json) count. */
  projectDirs?: string[];
}

export function currentEnvironment(projectDirs: string[] = []): ClientEnvironment {
  return {
    platform: process.platform,
    home: process.env.HOME ?? process.env.USERPROFILE ?? '',
    ...(process.env.APPDATA ? { appData: process.env.APPDATA } : {}),
    ...(process.env.XDG_CONFIG_HOME ? { xdgConfigHome: process.env.XDG_CONFIG_HOME } : {}),
    projectDirs,
  };
}

export function pathApi(env: ClientEnvironment): path.PlatformPath {
  return env.platform === 'win32' ? path.win32 : path.posix;
}

/** The per-user application-settings folder: ~/Library/Application Support, %APPDATA%, ~/.config. */
export function appSupportDir(env: ClientEnvironment): string {
  const p = pathApi(env);
  if (env.platform === 'darwin') return p.join(env.home, 'Library', 'Application Support');
  if (env.platform === 'win32') return env.appData ?? p.join(env.home, 'AppData', 'Roaming');
  return env.xdgConfigHome ?? p.join(env.home, '.config');
}

export interface ClientConfigFile {
  path: string;
  scope: 'user' | 'project';
}

/** A client entry in neutral form: what the client would spawn or connect to. */
export type ClientEntry =
  | { kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  | { kind: 'remote'; transport: 'streamable-http' | 'sse'; url: string; headers: Record<string, string> };

/** What a linked entry points at: the bridge command, or the daemon's URL with a bearer token. */
export type LinkTarget =
  | { kind: 'bridge'; command: string; args: string[]; env?: Record<string, string> }
  | { kind: 'url'; url: string; token: string };

export interface ClientAdapter {
  readonly id: ClientId;
  readonly displayName: string;
  /** Clients that only spawn processes get the bridge; the others get a URL and a bearer header. */
  readonly linkMode: 'bridge' | 'url';
  /** Candidate config files, existing or not, user files first. */
  configFiles(env: ClientEnvironment): ClientConfigFile[];
  /** Folders or files whose presence means the client is installed. */
  installMarkers(env: ClientEnvironment): string[];
  /** Paths of the server maps inside a parsed file (most have one; ~/.claude.json has one per project). */
  serverMaps(data: unknown): JSONPath[];
  /** Reads one entry; a string says why it cannot be used. */
  readEntry(raw: unknown): ClientEntry | string;
  /** The entry that sends this server through the app. */
  linkedEntry(target: LinkTarget): Record<string, unknown>;
  /** The client expands `${VAR}` and `${VAR:-default}` in entries itself (Claude Code); import expands them (env-references.ts). */
  readonly expandsEnvReferences?: boolean;
}
