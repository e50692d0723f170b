// `switchboard server sandbox <id> [show|set …]`, `server add --sandbox` and `status`, the CLI run as
// a child process as a shell runs it: against config.json with no daemon, and through a running
// daemon, where a sandboxed server that needs more than its profile fails and `status` shows its
// stderr with a hint to widen the profile.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { runCli } from '../../support/cli.ts';

const REACH_SERVER = path.join(REPO_ROOT, 'test/support/reach-server.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'sb-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let daemon: TestDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

const sandboxOf = (dataDir: string, id: string) =>
  (JSON.parse(readFileSync(path.join(dataDir, 'config.json'), 'utf8')) as { servers: Array<{ id: string; sandbox?: unknown }> }).servers.find((s) => s.id === id)?.sandbox;

describe('server sandbox without a daemon (config.json)', () => {
  // Many CLI runs without a daemon, each a process building the product in-process (1 s apiece on a quiet
  // machine): 15 s alone, past 30 s in a full parallel run.
  it('add --sandbox suggests from the command; show, set and its bad input', async () => {
    const dataDir = path.join(dir, 'offline');
    const home = path.join(dir, 'home');
    const folder = path.join(home, 'notes');
    mkdirSync(folder, { recursive: true });
    // npx (and so this test run) sets npm_config_cache; a user's shell usually does not.
    const env = { HOME: home, npm_config_cache: '' };
    const added = await cli(['server', 'add', 'fs', '--sandbox', '--data-dir', dataDir, '--', 'npx', '-y', '@modelcontextprotocol/server-filesystem', folder], env);
    expect(added.code).toBe(0);
    expect(sandboxOf(dataDir, 'fs')).toEqual({ enabled: true, network: 'all', readOnly: [], readWrite: ['~/.npm', folder] });

    const shown = await cli(['server', 'sandbox', 'fs', '--data-dir', dataDir], env);
    expect(shown.stdout).toContain('state: bwrap network=all');
    expect(shown.stdout).toContain(`read-write: ~/.npm, ${folder}`);

    const set = await cli(['server', 'sandbox', 'fs', 'set', '--network', 'none', '--remove', '~/.npm', '--read-only', REPO_ROOT, '--json', '--data-dir', dataDir], env);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ state: 'bwrap network=none', profile: { network: 'none', readOnly: [REPO_ROOT], readWrite: [folder] } });

    // Not under the temp folder wherever the checkout is (a clone in /tmp would make it a temp path).
    const MISSING = '/nonexistent-switchboard-test/no-such-folder';
    const bad = [
      [['set', '--network', 'some'], '--network takes "none" or "all", not "some"'],
      [['set'], 'nothing to set'],
      // Outside the temp folder a missing path is refused (inside it, it would be created).
      [['set', '--read-write', MISSING], `read-write path ${MISSING} does not exist`],
      [['set', '--read-write', 'relative/path'], 'absolute'],
      [['frobnicate'], 'unknown action "frobnicate"'],
    ] as const;
    for (const [args, message] of bad) {
      const result = await cli(['server', 'sandbox', 'fs', ...args, '--data-dir', dataDir], env);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(message);
    }
    expect(sandboxOf(dataDir, 'fs')).toMatchObject({ network: 'none', readWrite: [folder] });

    // A missing read-write path under the temp folder is the server's scratch space: created.
    const scratch = path.join(tmpdir(), `sb-cli-scratch-${process.pid}`, 'work');
    const created = await cli(['server', 'sandbox', 'fs', 'set', '--read-write', scratch, '--data-dir', dataDir], env);
    expect(created.code).toBe(0);
    expect(readFileSync(path.join(dataDir, 'config.json'), 'utf8')).toContain(scratch);
    rmSync(path.dirname(scratch), { recursive: true, force: true });

    expect((await cli(['server', 'sandbox', 'fs', 'set', '--clear', '--data-dir', dataDir], env)).code).toBe(0);
    expect(sandboxOf(dataDir, 'fs')).toBeUndefined();
    const unknown = await cli(['server', 'sandbox', 'nope', '--data-dir', dataDir], env);
    expect(unknown.stderr).toContain("unknown server 'nope'");
  }, 120_000);
});

describe('server sandbox and status through a running daemon', () => {
  it('a sandboxed server that cannot read its own script fails; status shows its stderr and the hint; widening the profile fixes it', async () => {
    writeFileSync(path.join(dir, 'marker'), '');
    daemon = await startTestDaemon({
      servers: [{ id: 'reach', transport: 'stdio', command: process.execPath, args: [REACH_SERVER], sandbox: { enabled: true, network: 'none', readOnly: [], readWrite: [] } }],
    });
    const dataDir = daemon.dataDir;
    let status = '';
    for (let i = 0; i < 100 && !status.includes('stderr:'); i++) {
      status = (await cli(['status', '--data-dir', dataDir])).stdout;
      if (!status.includes('stderr:')) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toMatch(/reach\tfailed/);
    expect(status).toContain('[bwrap network=none]');
    expect(status).toMatch(/stderr: .*MODULE_NOT_FOUND/);
    expect(status).toContain('switchboard server sandbox reach set --read-write <path>');

    const widened = await cli(['server', 'sandbox', 'reach', 'set', '--read-only', REPO_ROOT, '--data-dir', dataDir]);
    expect(widened.code).toBe(0);
    const tools = await cli(['server', 'tools', 'reach', '--data-dir', dataDir]);
    expect(tools.stdout).toContain('read_path');
    expect((await cli(['status', '--data-dir', dataDir])).stdout).toMatch(/reach\tready\t\[bwrap network=none\]/);
  });
});
