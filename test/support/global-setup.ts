// The suite's leak check. Setup marks this run in the environment (SWITCHBOARD_TEST_RUN), which
// every process the tests start inherits: daemons (also a bridge's detached auto-started one),
// bridges, MCP servers, browsers. Teardown looks for marked processes still alive, kills them,
// lists them and fails the run: a test that starts a daemon or server must stop it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeProcess, processesWithEnv, TEST_RUN_VARIABLE } from './processes.ts';
import { until } from './until.ts';

function parentOf(pid: number): number | undefined {
  try {
    return Number(/^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]);
  } catch {
    return undefined;
  }
}

export default function setup(): () => Promise<void> {
  const run = randomUUID();
  process.env[TEST_RUN_VARIABLE] = run;
  // Vitest's own workers (children of this process) carry the mark too and are still up here.
  const survivors = () => processesWithEnv(TEST_RUN_VARIABLE, run).filter((pid) => parentOf(pid) !== process.pid);
  return async function teardown() {
    // A server whose client just closed its stdin may need a moment to exit by itself.
    const left = await until(survivors, { done: (pids) => pids.length === 0, timeoutMs: 5000, intervalMs: 100 }).catch(() => survivors());
    if (left.length === 0) return;
    const described = left.map(describeProcess);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    throw new Error(`${left.length} process(es) started by the tests outlived them (now killed); a test must stop what it starts:\n${described.join('\n')}`);
  };
}
