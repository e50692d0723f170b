// The suite's leak check itself: a process a test started and left running fails the run,
// is named, and is killed.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import setup from '../../support/global-setup.ts';
import { alive, TEST_RUN_VARIABLE } from '../../support/processes.ts';
import { until } from '../../support/until.ts';

const suiteRun = process.env[TEST_RUN_VARIABLE];
const left: number[] = [];
afterEach(() => {
  if (suiteRun === undefined) delete process.env[TEST_RUN_VARIABLE];
  else process.env[TEST_RUN_VARIABLE] = suiteRun;
  // Its mark is this test's own, not the suite's: should the check under test fail, end it here.
  for (const pid of left.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // killed by the teardown under test
    }
  }
});

/** A process left behind the way a leaked daemon is: detached, its parent gone. */
function leaveProcessRunning(): number {
  const started = spawnSync('sh', ['-c', 'sleep 300 </dev/null >/dev/null 2>&1 & echo $!'], { encoding: 'utf8', env: process.env });
  const pid = Number(started.stdout.trim());
  left.push(pid);
  return pid;
}

describe('the global teardown', () => {
  it('fails the run naming a process the tests left running, and kills it', async () => {
    const teardown = setup();
    const pid = leaveProcessRunning();
    expect(alive(pid)).toBe(true);
    await expect(teardown()).rejects.toThrow(new RegExp(`1 process\\(es\\) started by the tests outlived them[\\s\\S]*\\n${pid} sleep 300`));
    // SIGKILL is delivered when the process next runs: on a busy machine that is a moment later.
    expect(await until(() => !alive(pid), { what: `process ${pid} to end after SIGKILL`, timeoutMs: 10_000 })).toBe(true);
  });

  it('passes when nothing is left', async () => {
    const teardown = setup();
    await expect(teardown()).resolves.toBeUndefined();
  });
});
