// <dataDir>/daemon.json tells the CLI and the bridge where the running daemon listens and
// holds the per-start API token (mode 0600). It doubles as the one-daemon-per-folder lock.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
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

/** The running daemon's info, or undefined when there is none (a stale file is ignored). */
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

export class DaemonAlreadyRunningError extends Error {
  readonly info: DaemonInfo;
  constructor(dataDir: string, info: DaemonInfo) {
    super(`a switchboard daemon is already running for ${dataDir} (pid ${info.pid}, http://127.0.0.1:${info.httpPort}); stop it first or use another --data-dir`);
    this.name = 'DaemonAlreadyRunningError';
    this.info = info;
  }
}

/** Claims the data folder for this process; throws DaemonAlreadyRunningError if another daemon holds it. */
export function claimDaemonFile(dataDir: string, info: DaemonInfo): void {
  const file = daemonFilePath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const running = readDaemonInfo(dataDir);
      if (running && running.pid !== process.pid) throw new DaemonAlreadyRunningError(dataDir, running);
      try {
        unlinkSync(file); // stale: its process is gone
      } catch {
        // someone else removed it
      }
    }
  }
  throw new Error(`could not claim ${file}`);
}

/** Rewrites the file we own (e.g. once the HTTP port is known). */
export function updateDaemonFile(dataDir: string, info: DaemonInfo): void {
  writeFileSync(daemonFilePath(dataDir), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
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
