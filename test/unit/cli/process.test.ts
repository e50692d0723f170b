// The CLI as a shell runs it: a child process through bin/switchboard.js (and `node main/cli.ts`),
// on a real data folder, with and without a running daemon.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { REPO_ROOT, SWITCHBOARD_BIN } from '../../support/daemon.ts';

const CLI_SOURCE = join(REPO_ROOT, 'main/cli.ts');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-proc-'));
  dirs.push(dir);
  if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/** Runs the CLI; with closeStdout, the reading end of its stdout is closed at once (like `| head` that has had enough). */
const cli = (args: string[], options: { entry?: string; closeStdout?: boolean } = {}) => runCli(args, options);

const manyServers = { version: 1, servers: Array.from({ length: 200 }, (_, i) => ({ id: `s${i}`, transport: 'stdio', command: 'node', args: [`server-${i}.js`] })) };

describe('switchboard as a child process', () => {
  it('ends quietly with code 0 when its stdout pipe is closed early, from either entry point', async () => {
    const dir = dataDir(manyServers);
    for (const entry of [SWITCHBOARD_BIN, CLI_SOURCE]) {
      for (const args of [['server', 'list'], ['server', 'list', '--json']]) {
        const result = await cli([...args, '--data-dir', dir], { entry, closeStdout: true });
        expect({ entry, args, code: result.code, stderr: result.stderr }).toEqual({ entry, args, code: 0, stderr: '' });
      }
    }
  });

  it('a failed command still fails when its stdout is closed', async () => {
    const result = await cli(['server', 'remove', 'ghost', '--data-dir', dataDir()], { closeStdout: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("switchboard: unknown server 'ghost'; see `switchboard server list`\n");
  });

  it('says that --data-dir needs a value instead of printing the whole help', async () => {
    for (const args of [['server', 'list', '--data-dir'], ['--data-dir='], ['status', '--data-dir=']]) {
      const result = await cli(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^switchboard: --data-dir needs a value: the data folder/);
      expect(result.stderr).not.toContain('Usage:');
      expect(result.stdout).toBe('');
    }
  });

  it('escapes control characters in error messages', async () => {
    const result = await cli(['server', 'remove', 'gh\u001b[2J\u0007ost', '--data-dir', dataDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("switchboard: unknown server 'gh\\x1b[2J\\x07ost'; see `switchboard server list`\n");
  });
});
