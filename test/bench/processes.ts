// Child processes for the benchmark: each one leads its own process group so that stopping it also
// stops what it spawned (supergateway and mcp-proxy start the echo server through a shell).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export class ProcessGroup {
  private readonly children = new Set<ChildProcess>();
  private readonly logs = new Map<ChildProcess, string>();

  spawn(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    this.logs.set(child, '');
    const keep = (chunk: Buffer) => this.logs.set(child, ((this.logs.get(child) ?? '') + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** The last few KB a child wrote, for error messages. */
  output(child: ChildProcess): string {
    return this.logs.get(child) ?? '';
  }

  /** SIGTERM to every group, SIGKILL to whatever is left after `graceMs`. */
  async stopAll(graceMs = 2000): Promise<void> {
    const running = [...this.children];
    for (const child of running) signalGroup(child, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (this.children.size > 0 && Date.now() < deadline) await sleep(50);
    for (const child of running) signalGroup(child, 'SIGKILL');
    this.children.clear();
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export { freePort } from '../support/free-port.ts';

/** Retries `attempt` until it resolves or `timeoutMs` passes; the last error explains the failure. */
export async function retryUntil<T>(what: string, timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      await sleep(100);
    }
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

/** Resident set size of a process in MB (Linux /proc). */
export async function rssMegabytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/**
 * CPU nanoseconds a process has used so far, every thread of it (Linux /proc/<pid>/task/<tid>/schedstat,
 * whose first field is the time on CPU in ns). Finer than /proc/<pid>/stat's 10 ms ticks, which over
 * a round of a few thousand calls are an error of several µs per call.
 */
export function cpuNanos(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return total;
}

/** User and system CPU seconds a process has used so far (Linux /proc; clock ticks at 100 Hz). */
export function cpuSeconds(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}
