// CLI commands against a running daemon (`switchboard serve`, a child process on a temp data
// folder), the CLI itself run as a child process, as a shell runs it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { until } from '../../support/until.ts';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.ts';

let daemon: TestDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const cli = (args: string[]) => runCli(args);

describe('switchboard with a running daemon', () => {
  it('server add of an existing id names the CLI command, not the API method', async () => {
    daemon = await startTestDaemon();
    const first = await cli(['server', 'add', 'memory', '--data-dir', daemon.dataDir, '--', 'node', 'x.js']);
    expect(first.code).toBe(0);
    const again = await cli(['server', 'add', 'memory', '--data-dir', daemon.dataDir, '--', 'node', 'x.js']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("switchboard: a server with id 'memory' already exists; remove it first with `switchboard server remove memory`\n");
  });

  it('a revoked token is refused by the daemon, a new one accepted', async () => {
    daemon = await startTestDaemon();
    const running = daemon;
    const status = async (token: string): Promise<number> => {
      const response = await fetch(`${running.baseUrl}/mcp/none`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
      });
      await response.body?.cancel();
      return response.status;
    };
    // The daemon reloads config.json when it changes (a debounced file watch): poll, on a busy machine too.
    const eventually = async (token: string, accepted: boolean): Promise<void> => {
      const last = await until(() => status(token), { done: (code) => (code !== 401) === accepted, timeoutMs: 15_000, intervalMs: 50 }).catch(() => status(token));
      expect({ accepted, status: last, logs: (last !== 401) === accepted ? '' : running.logs() }).toEqual({ accepted, status: expect.any(Number), logs: '' });
    };

    const created = await cli(['token', 'create', 'qa', '--data-dir', running.dataDir]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    await eventually(token, true);

    const listed = await cli(['token', 'list', '--data-dir', running.dataDir]);
    expect(listed.stdout).toMatch(/^test-client\t.+\nqa\t.+\n$/);
    expect(listed.stdout).not.toContain(token);

    const revoked = await cli(['token', 'revoke', 'qa', '--data-dir', running.dataDir]);
    expect(revoked).toMatchObject({ code: 0, stdout: "revoked the token of 'qa'\n" });
    await eventually(token, false);
    await eventually(running.clientToken, true); // the other client's token still works

    expect(JSON.parse(readFileSync(join(running.dataDir, 'config.json'), 'utf8')).tokens.map((t: { name: string }) => t.name)).toEqual(['test-client']);
  });
});
