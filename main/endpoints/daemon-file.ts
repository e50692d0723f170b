// <dataDir>/daemon.json tells the CLI and the bridge where the running daemon listens and
// holds the per-start API token (mode 0600). It doubles as the one-daemon-per-folder lock.
//
// A live PID is not proof of a live daemon: after a crash and a reboot the file's PID may belong
// to any process. So the daemon is asked, on the port the file names and with the token only it
// knows, what its PID is (findRunningDaemon); a file nobody answers for is stale.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const DaemonInfoSchema = z.object({
  pid: z.number().int(),
  httpPort: z.number().int(),
  socketPath: z.string(),
  apiToken: z.string(),
  startedAt: z.string(),
});
export type DaemonInfo = z.infer<typeof DaemonInfoSchema>;

export function daemonFilePath(dataDir: string): string {
  return join(dataDir, 'daemon.json');
}

export function socketPathFor(dataDir: string): string {
  return process.platform === 'win32' ? `\\\\.\\pipe\\mcp-switchboard-${Buffer.from(dataDir).toString('hex').slice(-32)}` : join(dataDir, 'switchboard.sock');
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The info of daemon.json when its PID is alive, without asking the daemon (cheap, and enough
 * where a wrong answer only means waiting longer); findRunningDaemon confirms it.
 */
export function readDaemonInfo(dataDir: string): DaemonInfo | undefined {
  let raw: string;
  try {
    raw = readFileSync(daemonFilePath(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const info = DaemonInfoSchema.parse(JSON.parse(raw));
    return isProcessAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** How long a daemon that has claimed the folder but not yet opened its port counts as starting. */
export const STARTING_GRACE_MS = 60_000;
const HANDSHAKE_TIMEOUT_MS = 3000;

/**
 * 'live': the daemon answered with its PID. 'stale': no daemon of this file (PID gone, port shut,
 * or something else answers there). 'unsure': the port is open but the answer did not come in
 * time (a busy daemon): treated as live, so a second daemon never shares the folder.
 */
export type DaemonLiveness = 'live' | 'stale' | 'unsure';

export interface HandshakeOptions {
  timeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

export async function confirmDaemon(info: DaemonInfo, options: HandshakeOptions = {}): Promise<DaemonLiveness> {
  if (!isProcessAlive(info.pid)) return 'stale';
  if (info.httpPort === 0) {
    // Claimed, not yet listening: a daemon starting now, or one that died while starting long ago.
    const age = (options.now?.() ?? Date.now()) - Date.parse(info.startedAt);
    return age >= 0 && age < STARTING_GRACE_MS ? 'unsure' : 'stale';
  }
  const timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  try {
    const response = await (options.fetch ?? fetch)(`http://127.0.0.1:${info.httpPort}/api/daemon.status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${info.apiToken}` },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as { result?: { pid?: unknown } };
    return response.ok && body.result?.pid === info.pid ? 'live' : 'stale';
  } catch (error) {
    const name = (error as Error).name;
    return name === 'TimeoutError' || name === 'AbortError' ? 'unsure' : 'stale';
  }
}

/** The running daemon of the folder, confirmed by a handshake; undefined when there is none. */
export async function findRunningDaemon(dataDir: string, options: HandshakeOptions = {}): Promise<DaemonInfo | undefined> {
  const info = readDaemonInfo(dataDir);
  if (!info) return undefined;
  return (await confirmDaemon(info, options)) === 'stale' ? undefined : info;
}

export class DaemonAlreadyRunningError extends Error {
  readonly info: DaemonInfo;
  constructor(dataDir: string, info: DaemonInfo) {
    super(`a switchboard daemon is already running for ${dataDir} (pid ${info.pid}, http://127.0.0.1:${info.httpPort}); stop it first or use another --data-dir`);
    this.name = 'DaemonAlreadyRunningError';
    this.info = info;
  }
}

/** Claims the data folder for this process; throws DaemonAlreadyRunningError if another daemon holds it. */
export async function claimDaemonFile(dataDir: string, info: DaemonInfo, options: HandshakeOptions = {}): Promise<void> {
  const file = daemonFilePath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const running = await findRunningDaemon(dataDir, options);
      if (running && running.pid !== process.pid) throw new DaemonAlreadyRunningError(dataDir, running);
      try {
        unlinkSync(file); // stale: no daemon answers for it
      } catch {
        // someone else removed it
      }
    }
  }
  throw new Error(`could not claim ${file}`);
}

/**
 * Rewrites the file we own (e.g. once the HTTP port is known), atomically: a bridge or CLI reading
 * it meanwhile sees the old or the new content, never an empty file it would take for no daemon
 * (a bridge whose own daemon lost the race to this one then gave up instead of waiting for it).
 */
export function updateDaemonFile(dataDir: string, info: DaemonInfo): void {
  const file = daemonFilePath(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

export function releaseDaemonFile(dataDir: string): void {
  const current = (() => {
    try {
      return DaemonInfoSchema.parse(JSON.parse(readFileSync(daemonFilePath(dataDir), 'utf8')));
    } catch {
      return undefined;
    }
  })();
  if (current && current.pid !== process.pid) return;
  try {
    unlinkSync(daemonFilePath(dataDir));
  } catch {
    // already gone
  }
}
