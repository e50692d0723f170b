// The HTTP endpoint of a fresh `switchboard serve` against what a careless or hostile client does:
// 40 initializes with one token leave at most the per-token cap in server processes; refused
// logins show in `switchboard status` without the token; /mcp/% is a 400; a token is in force as
// soon as `token create` printed it; a second daemon on a busy port says which settings to change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_SESSIONS_PER_TOKEN } from '../../../main/endpoints/http-endpoint.ts';
import { REPO_ROOT, SWITCHBOARD_BIN, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { until } from '../../support/until.ts';

const ECHO_SERVER = join(REPO_ROOT, 'test/support/echo-server.ts');

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon({ servers: [{ id: 'echo', transport: 'stdio', command: process.execPath, args: [ECHO_SERVER] }] });
}, 60_000);
afterAll(async () => {
  await daemon?.stop();
});

function initialize(token: string): Promise<Response> {
  return fetch(`${daemon.baseUrl}/mcp/echo`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'burst', version: '1' } } }),
  });
}

/** Processes under `root` (children, grandchildren…) whose command line contains `needle`. */
function descendantsRunning(root: number, needle: string): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    queue.push(...(children.get(pid) ?? []));
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) found.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function run(args: string[], onStdout?: (text: string) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SWITCHBOARD_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('switchboard serve under a burst of sessions', () => {
  it('40 initializes with one token leave at most the per-token cap in sessions and server processes; a refusal says why', async () => {
    // A cap of 40 or more would let every initialize keep its process, and the checks below hold vacuously.
    expect(DEFAULT_MAX_SESSIONS_PER_TOKEN).toBeLessThan(40);
    const answers = await Promise.all(Array.from({ length: 40 }, () => initialize(daemon.clientToken)));
    const statuses = answers.map((a) => a.status);
    // Each is either opened (an idle session closed to make room) or refused because all are in use.
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const refused = answers.find((a) => a.status === 429);
    if (refused) expect(((await refused.json()) as { why: string }).why).toContain(`the most one token may hold (${DEFAULT_MAX_SESSIONS_PER_TOKEN})`);
    await Promise.all(answers.map((a) => (a.bodyUsed ? undefined : a.body?.cancel())));

    expect((await daemon.api['daemon.status']({})).sessions).toBeLessThanOrEqual(DEFAULT_MAX_SESSIONS_PER_TOKEN);
    const probe = (await daemon.api['daemon.status']({})).servers.find((s) => s.id === 'echo')?.pid;
    // Closed sessions' servers are ended; what is left is at most the cap.
    const servers = await until(() => descendantsRunning(daemon.pid, 'echo-server.ts').filter((pid) => pid !== probe), { done: (pids) => pids.length <= DEFAULT_MAX_SESSIONS_PER_TOKEN, what: 'at most the cap in server processes' });
    expect(servers.length).toBeLessThanOrEqual(DEFAULT_MAX_SESSIONS_PER_TOKEN);
  }, 120_000);
});

describe('refused logins and bad paths', () => {
  it('/mcp/% answers 400 before authentication', async () => {
    const res = await fetch(`${daemon.baseUrl}/mcp/%`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('bad request');
  });

  it('shows refused logins in `switchboard status` with client, reason and endpoint, never the token', async () => {
    const wrong = 'sbt_ThisIsNotAValidTokenAtAll000000000000000';
    expect((await fetch(`${daemon.baseUrl}/mcp/echo`, { headers: { 'user-agent': 'probe-client/2.0' } })).status).toBe(401);
    expect((await fetch(`${daemon.baseUrl}/mcp/echo`, { headers: { authorization: `Bearer ${wrong}`, 'user-agent': 'probe-client/2.0' } })).status).toBe(401);

    const json = await run(['status', '--json', '--data-dir', daemon.dataDir]);
    const status = JSON.parse(json.stdout) as { authFailures: { total: number; byReason: Record<string, number>; recent: Array<Record<string, unknown>> } };
    expect(status.authFailures.total).toBe(2);
    expect(status.authFailures.byReason).toEqual({ 'missing token': 1, 'invalid token': 1 });
    expect(status.authFailures.recent[0]).toMatchObject({ status: 401, reason: 'invalid token', endpoint: '/mcp/echo', client: 'user-agent "probe-client/2.0"' });

    const text = await run(['status', '--data-dir', daemon.dataDir]);
    expect(text.stdout).toMatch(/^logins refused: 2 since start \(2 in the last minute, 2 in the last hour; missing token 1, invalid token 1\)$/m);
    expect(text.stdout).toMatch(/401 invalid token {2}\/mcp\/echo {2}user-agent "probe-client\/2\.0"/);
    for (const output of [json.stdout, text.stdout, daemon.logs()]) expect(output).not.toContain(wrong);
  }, 60_000);
});

describe('token create', () => {
  it('makes a token that works the moment it is printed, for its server only', async () => {
    let used: Promise<number> | undefined;
    const created = await run(['token', 'create', 'quick', '--server', 'echo', '--data-dir', daemon.dataDir], (stdout) => {
      const token = /sbt_\S+/.exec(stdout)?.[0];
      // Before the CLI has even exited.
      if (token && !used) used = initialize(token).then(async (res) => { await res.body?.cancel(); return res.status; });
    });
    expect(created.code).toBe(0);
    expect(await used).toBe(200);
  }, 60_000);
});

describe('a second daemon on a busy port', () => {
  it('fails naming --port and settings.httpPort', async () => {
    const other = mkdtempSync(join(tmpdir(), 'switchboard-busy-'));
    try {
      const result = await run(['serve', '--port', String(daemon.httpPort), '--data-dir', other]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${daemon.httpPort} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain('`switchboard serve --port <port>`');
      expect(result.stderr).toContain('settings.httpPort in config.json');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);
});
