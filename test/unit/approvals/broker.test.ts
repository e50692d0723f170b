import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalBroker, type ApprovalRequest, type PendingApproval, type ResolvedApproval } from '../../../main/approvals/broker.ts';

const base: ApprovalRequest = {
  kind: 'policy', sessionId: 's1', clientLabel: 'bridge', serverId: 'mem', tool: 'delete_entities',
  arguments: { entityNames: ['a'] }, rule: 'ask mem/delete_*', source: 'managed', choices: ['allow-once', 'allow-session', 'always-allow'],
};

describe('ApprovalBroker', () => {
  const brokers: ApprovalBroker[] = [];
  const make = (timeoutMs = 10_000, onAlwaysAllow?: (a: PendingApproval) => void) => {
    const broker = new ApprovalBroker({ timeoutMs: () => timeoutMs, ...(onAlwaysAllow ? { onAlwaysAllow } : {}) });
    brokers.push(broker);
    return broker;
  };
  afterEach(() => { for (const b of brokers.splice(0)) b.dispose(); });

  it('waits for an answer and reports who approved', async () => {
    const broker = make();
    const added: PendingApproval[] = [];
    const resolved: ResolvedApproval[] = [];
    broker.events.on('added', (a) => added.push(a));
    broker.events.on('resolved', (r) => resolved.push(r));
    const waiting = broker.request(base);
    expect(broker.list()).toHaveLength(1);
    expect(added[0]).toMatchObject({ serverId: 'mem', tool: 'delete_entities', rule: 'ask mem/delete_*', choices: ['deny', 'allow-once', 'allow-session', 'always-allow'] });
    await broker.answer(added[0]!.id, 'allow-once', 'cli');
    expect(await waiting).toEqual({ approved: true, answer: 'allow-once', approver: 'user:allow-once' });
    expect(broker.list()).toHaveLength(0);
    expect(resolved[0]).toMatchObject({ answer: 'allow-once', by: 'cli' });
    expect(broker.history()[0]).toMatchObject({ id: added[0]!.id, answer: 'allow-once' });
  });

  it('identical pending calls share one prompt; different arguments or sessions get their own', async () => {
    const broker = make();
    const a = broker.request(base);
    const b = broker.request({ ...base, arguments: { entityNames: ['a'] } });
    const c = broker.request({ ...base, arguments: { entityNames: ['b'] } });
    const d = broker.request({ ...base, sessionId: 's2' });
    expect(broker.list()).toHaveLength(3);
    const shared = broker.list().find((p) => p.sessionId === 's1' && canonical(p.arguments) === canonical(base.arguments))!;
    await broker.answer(shared.id, 'deny', 'ui');
    expect((await a).approved).toBe(false);
    expect((await b).approver).toBe('user:deny');
    expect(broker.list()).toHaveLength(2);
    for (const p of broker.list()) await broker.answer(p.id, 'allow-once', 'ui');
    expect((await c).approved && (await d).approved).toBe(true);
  });

  it('no answer in time means deny with approver "timeout"', async () => {
    const broker = make(50);
    expect(await broker.request(base)).toEqual({ approved: false, answer: 'timeout', approver: 'timeout' });
    expect(broker.history()[0]).toMatchObject({ answer: 'timeout' });
  });

  it('a cancelled call withdraws its approval; a shared prompt stays while another call waits', async () => {
    const broker = make();
    const first = new AbortController();
    const second = new AbortController();
    const p1 = broker.request({ ...base, signal: first.signal });
    const p2 = broker.request({ ...base, signal: second.signal });
    first.abort();
    expect(await p1).toMatchObject({ approved: false, answer: 'withdrawn' });
    expect(broker.list()).toHaveLength(1);
    second.abort();
    expect(await p2).toMatchObject({ answer: 'withdrawn' });
    expect(broker.list()).toHaveLength(0);
    expect(broker.history()[0]).toMatchObject({ answer: 'withdrawn' });
  });

  it('allow-session is remembered for the session only; always-allow calls back; unoffered answers are refused', async () => {
    const always: PendingApproval[] = [];
    const broker = make(10_000, (a) => { always.push(a); });
    const p = broker.request(base);
    await broker.answer(broker.list()[0]!.id, 'allow-session', 'ui');
    await p;
    expect(broker.isSessionAllowed('policy', 's1', 'mem', 'delete_entities')).toBe(true);
    expect(broker.isSessionAllowed('policy', 's2', 'mem', 'delete_entities')).toBe(false);
    broker.closeSession('s1');
    expect(broker.isSessionAllowed('policy', 's1', 'mem', 'delete_entities')).toBe(false);

    const q = broker.request(base);
    await broker.answer(broker.list()[0]!.id, 'always-allow', 'ui');
    expect(await q).toMatchObject({ approved: true, approver: 'user:always' });
    expect(always[0]).toMatchObject({ tool: 'delete_entities' });

    const r = broker.request({ ...base, choices: ['allow-once'] });
    await expect(broker.answer(broker.list()[0]!.id, 'always-allow', 'ui')).rejects.toThrow(/not offered/);
    await expect(broker.answer('nope', 'deny', 'ui')).rejects.toThrow(/no pending approval/);
    broker.closeSession('s1');
    expect(await r).toMatchObject({ answer: 'withdrawn' });
  });
});

function canonical(value: unknown): string {
  return JSON.stringify(value);
}
