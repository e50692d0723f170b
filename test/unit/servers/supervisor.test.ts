import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerConfigSchema, type ServerConfig } from '../../../shared/config.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import { AdmissionError, ServerNotFoundError, Supervisor } from '../../../main/servers/supervisor.ts';
import { resolveValues } from '../../../main/servers/upstream-factory.ts';
import { processesWithEnv } from '../../support/processes.ts';
import { until } from '../../support/until.ts';

const EVERYTHING = resolve(import.meta.dirname, '../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const everything = (id: string, extra: Partial<ServerConfig> = {}): ServerConfig => ServerConfigSchema.parse({ id, transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'], ...extra });

let supervisor: Supervisor | undefined;
afterEach(async () => {
  await supervisor?.shutdown();
  supervisor = undefined;
});

/** A server-everything whose processes carry a unique environment mark, so a test finds each one it left running. */
function marked(id: string): { config: ServerConfig; running: () => number[] } {
  const mark = randomUUID();
  return { config: everything(id, { env: { SUPERVISOR_TEST_MARK: mark } }), running: () => processesWithEnv('SUPERVISOR_TEST_MARK', mark) };
}

/** Waits for the marked processes to be gone (a kill is not instant); false if they stay. */
async function allGone(running: () => number[]): Promise<boolean> {
  return until(() => running().length === 0, { timeoutMs: 5000, what: 'the server processes to end' }).then(() => true, () => false);
}

describe('Supervisor', () => {
  it('starts a probe, lists tools, restarts a crashed server with backoff, and stops', async () => {
    supervisor = new Supervisor({ logger: silentLogger, admit: () => ({ ok: true }), backoff: { initialMs: 50, maxMs: 200 } });
    const states: string[] = [];
    supervisor.onStatus((s) => states.push(s.state));
    supervisor.reconcile([everything('e')]);
    await until(() => supervisor!.get('e').state === 'ready');
    expect((await supervisor.tools('e')).map((t) => t.name)).toContain('echo');
    const pid = supervisor.get('e').pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => supervisor!.get('e').state === 'failed');
    expect(supervisor.get('e').reason).toContain('crashed (signal SIGKILL)');
    await until(() => supervisor!.get('e').state === 'ready' && supervisor!.get('e').pid !== pid);
    expect(supervisor.get('e').restarts).toBe(1);
    expect(states).toEqual(['starting', 'ready', 'failed', 'starting', 'ready']);
    await supervisor.stop('e');
    expect(supervisor.get('e')).toMatchObject({ state: 'stopped', reason: 'stopped by the user' });
  });

  it('reports a server that cannot start as failed with the reason', async () => {
    supervisor = new Supervisor({ logger: silentLogger, admit: () => ({ ok: true }), backoff: { initialMs: 60_000, maxMs: 60_000 } });
    supervisor.reconcile([ServerConfigSchema.parse({ id: 'bad', transport: 'stdio', command: 'no-such-binary-xyz' })]);
    await until(() => supervisor!.get('bad').state === 'failed');
    expect(supervisor.get('bad').reason).toContain('no-such-binary-xyz');
  });

  it('checks admission for new sessions and refuses unknown, disabled and unadmitted servers', async () => {
    supervisor = new Supervisor({
      logger: silentLogger,
      autoStart: false,
      admit: (server) => (server.id === 'blocked' ? { ok: false, reason: 'denied by managed policy rule "no-blocked"' } : { ok: true }),
    });
    supervisor.reconcile([everything('ok'), everything('blocked'), everything('off', { enabled: false })]);
    await expect(supervisor.admitSession('ok')).resolves.toMatchObject({ id: 'ok' });
    await expect(supervisor.admitSession('nope')).rejects.toBeInstanceOf(ServerNotFoundError);
    await expect(supervisor.admitSession('blocked')).rejects.toThrow(/may not run: denied by managed policy rule "no-blocked"/);
    await expect(supervisor.admitSession('off')).rejects.toBeInstanceOf(AdmissionError);
    expect(supervisor.get('ok').state).toBe('stopped');
  });

  it('kills on shutdown a client session\'s server process that nobody closed', async () => {
    supervisor = new Supervisor({ logger: silentLogger, admit: () => ({ ok: true }), autoStart: false });
    const server = marked('s');
    supervisor.reconcile([server.config]);
    const upstream = await supervisor.createUpstream(server.config);
    await upstream.start();
    expect(server.running()).toHaveLength(1);
    await supervisor.shutdown();
    expect(await allGone(server.running)).toBe(true);
  });

  it('starts no process for a session upstream made before shutdown and started while it runs', async () => {
    supervisor = new Supervisor({ logger: silentLogger, admit: () => ({ ok: true }), autoStart: false });
    const server = marked('s');
    supervisor.reconcile([server.config]);
    const upstream = await supervisor.createUpstream(server.config);
    const stopping = supervisor.shutdown();
    await expect(upstream.start()).rejects.toThrow(/stopping/);
    await stopping;
    await expect(supervisor.createUpstream(server.config)).rejects.toThrow(/stopping/);
    expect(await allGone(server.running)).toBe(true);
  });

  it('starts no probe for a tool list asked while shutdown runs (a ready server seen just before)', async () => {
    supervisor = new Supervisor({ logger: silentLogger, admit: () => ({ ok: true }) });
    const server = marked('e');
    supervisor.reconcile([server.config]);
    await until(() => supervisor!.get('e').state === 'ready');
    const stopping = supervisor.shutdown();
    await expect(supervisor.tools('e')).rejects.toThrow(/stopping/);
    await stopping;
    expect(await allGone(server.running)).toBe(true);
  });

  it('kills a slow-starting probe that is mid-spawn when shutdown runs', async () => {
    supervisor = new Supervisor({ logger: silentLogger, admit: () => ({ ok: true }), autoStart: false, pingTimeoutMs: 60_000 });
    const mark = randomUUID();
    supervisor.reconcile([ServerConfigSchema.parse({ id: 'slow', transport: 'stdio', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], env: { SUPERVISOR_TEST_MARK: mark } })]);
    const running = () => processesWithEnv('SUPERVISOR_TEST_MARK', mark);
    const tools = supervisor.tools('slow');
    await until(() => running().length === 1, { what: 'the server process to be spawned' });
    expect(supervisor.get('slow').state).toBe('starting');
    await supervisor.shutdown();
    await expect(tools).rejects.toThrow();
    expect(await allGone(running)).toBe(true);
  });

  it('resolves {secret} references through the injected resolver and names what needs a missing one', async () => {
    const values = await resolveValues({ PLAIN: 'x', TOKEN: { secret: 'gh' } }, async (name) => `value-of-${name}`, "server 'a' env");
    expect(values).toEqual({ PLAIN: 'x', TOKEN: 'value-of-gh' });
    await expect(resolveValues({ TOKEN: { secret: 'gh' } }, async () => {
      throw new Error('no secret store');
    }, "server 'a' env")).rejects.toThrow(`server 'a' env: TOKEN needs secret "gh": no secret store`);
  });
});
