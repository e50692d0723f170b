// Ends a server with everything it started (npx → node → server). POSIX: the server leads its own
// process group (spawned detached), so a signal to the group reaches the whole tree. Windows has
// no process groups and no signals: `taskkill /T` walks the tree by parent id, `/F` forces it
// (a console program has no window to receive taskkill's polite close, so SIGTERM and SIGKILL
// both end in /F; the grace period between them still lets stdin's end stop a server cleanly).
import { spawn } from 'node:child_process';

export interface ProcessTreeOptions {
  platform?: NodeJS.Platform;
  /** Sends a signal to a process or (negative pid) a process group. */
  kill?: (pid: number, signal: NodeJS.Signals) => void;
  /** Runs a program without waiting for it (taskkill). */
  run?: (command: string, args: string[]) => void;
}

export function killProcessTree(pid: number, signal: NodeJS.Signals, options: ProcessTreeOptions = {}): void {
  const platform = options.platform ?? process.platform;
  try {
    if (platform === 'win32') (options.run ?? runDetached)('taskkill', ['/T', '/F', '/PID', String(pid)]);
    else (options.kill ?? process.kill)(-pid, signal);
  } catch {
    // The tree is already gone.
  }
}

function runDetached(command: string, args: string[]): void {
  const child = spawn(command, args, { stdio: 'ignore', windowsHide: true });
  child.on('error', () => undefined);
  child.unref();
}
