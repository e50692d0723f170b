import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerConfigSchema, type ServerConfig } from '../../../shared/config.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import { AdmissionError, ServerNotFoundError, Supervisor } from '../../../main/servers/supervisor.ts';
import { resolveValues } from '../../../main/servers/upstream-factory.ts';

const EVERYTHING = resolve(import.meta.dirname, '../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const everything = (id: string, extra: Partial<ServerConfig> = {}): ServerConfig => ServerConfigSchema.parse({ id, transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'], ...extra });

let supervisor: Supervisor | undefined;
afterEach(async () => {
  await supervisor?.shutdown();
  supervisor = undefined;
});

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
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

  it('resolves {secret} references through the injected resolver and names what needs a missing one', async () => {
    const values = await resolveValues({ PLAIN: 'x', TOKEN: { secret: 'gh' } }, async (name) => `value-of-${name}`, "server 'a' env");
    expect(values).toEqual({ PLAIN: 'x', TOKEN: 'value-of-gh' });
    await expect(resolveValues({ TOKEN: { secret: 'gh' } }, async () => {
      throw new Error('no secret store');
    }, "server 'a' env")).rejects.toThrow(`server 'a' env: TOKEN needs secret "gh": no secret store`);
  });
});
