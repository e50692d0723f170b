// Finds processes by a variable in their environment (Linux /proc), which every descendant
// inherits even when detached: how tests and the suite's teardown find what outlived its owner.
import { readdirSync, readFileSync } from 'node:fs';
import { until } from './until.ts';

/** Set by the suite's global setup (test/support/global-setup.ts) to mark the processes of this run. */
export const TEST_RUN_VARIABLE = 'SWITCHBOARD_TEST_RUN';

/**
 * The mark, for a child given an environment of its own rather than this one (the SDK's
 * StdioClientTransport passes only a few variables by default).
 */
export function testRunEnvironment(): Record<string, string> {
  const run = process.env[TEST_RUN_VARIABLE];
  return run ? { [TEST_RUN_VARIABLE]: run } : {};
}

/** Live processes (zombies excluded) whose environment has `name=value`, this process excepted. */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(needle) && alive(pid)) found.push(pid);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** One line per process: its pid and command line. */
export function describeProcess(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim()}`;
  } catch {
    return `${pid} (gone)`;
  }
}

/** Live processes whose command line has every one of `args` (e.g. 'serve' and a data folder). */
export function processesWithArgs(...args: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      if (args.every((arg) => argv.includes(arg)) && alive(pid)) found.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** True while `pid` runs (a zombie, dead but not yet reaped by its parent, does not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if still running after `graceMs`; resolves once every one is gone. */
export async function stopProcesses(pids: readonly number[], graceMs = 15_000): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    }
  };
  const gone = (timeoutMs: number) => until(() => pids.every((pid) => !alive(pid)), { timeoutMs, what: `processes ${pids.join(', ')} to end`, intervalMs: 50 });
  signal('SIGTERM');
  await gone(graceMs).catch(async () => {
    signal('SIGKILL');
    await gone(5000);
  });
}
