import { describe, expect, it } from 'vitest';
import { EventHub } from '../../../main/api/events.ts';
import type { ApiEvent } from '../../../shared/api/events.ts';

describe('EventHub', () => {
  it('delivers a valid event to every subscriber until it unsubscribes', () => {
    const hub = new EventHub(() => {});
    const a: ApiEvent[] = [];
    const b: ApiEvent[] = [];
    const offA = hub.subscribe((e) => a.push(e));
    hub.subscribe((e) => b.push(e));
    hub.emit('server.state', { serverId: 'everything', state: 'ready' });
    offA();
    hub.emit('approval.resolved', { id: 'ap1', answer: 'deny' });
    expect(a).toEqual([{ event: 'server.state', data: { serverId: 'everything', state: 'ready' } }]);
    expect(b.map((e) => e.event)).toEqual(['server.state', 'approval.resolved']);
  });

  it('drops a payload that does not match its schema and says why', () => {
    const warnings: string[] = [];
    const hub = new EventHub((m) => warnings.push(m));
    const seen: ApiEvent[] = [];
    hub.subscribe((e) => seen.push(e));
    hub.emit('server.state', { serverId: 'x' } as never);
    expect(seen).toEqual([]);
    expect(warnings[0]).toMatch(/server\.state dropped: state/);
  });

  it('keeps delivering when one listener throws', () => {
    const warnings: string[] = [];
    const hub = new EventHub((m) => warnings.push(m));
    const seen: string[] = [];
    hub.subscribe(() => { throw new Error('boom'); });
    hub.subscribe((e) => seen.push(e.event));
    hub.emit('audit.record', { id: 'r1' });
    expect(seen).toEqual(['audit.record']);
    expect(warnings[0]).toMatch(/boom/);
  });
});

describe('connectEventSources', () => {
  it('turns supervisor, broker and audit events into hub events, and disconnects', async () => {
    const { EventEmitter } = await import('node:events');
    const { connectEventSources } = await import('../../../main/api/events.ts');
    const hub = new EventHub(() => {});
    const seen: ApiEvent[] = [];
    hub.subscribe((e) => seen.push(e));
    let status: ((s: { id: string; state: string }) => void) | undefined;
    let record: ((r: { id: string }) => void) | undefined;
    const broker = { events: new EventEmitter() };
    const disconnect = connectEventSources(hub, {
      supervisor: { onStatus: (l) => { status = l; return () => { status = undefined; }; } },
      approvals: broker as never,
      audit: { onRecord: (l) => { record = l; return () => { record = undefined; }; } },
    });
    status!({ id: 'mem', state: 'ready' });
    broker.events.emit('added', { id: 'a1', serverId: 'mem', tool: 'delete' });
    broker.events.emit('resolved', { id: 'a1', answer: 'deny' });
    record!({ id: 'r1' });
    expect(seen.map((e) => e.event)).toEqual(['server.state', 'approval.added', 'approval.resolved', 'audit.record']);
    expect(seen[0]!.data).toMatchObject({ serverId: 'mem', state: 'ready' });
    disconnect();
    expect(status).toBeUndefined();
    expect(record).toBeUndefined();
    expect(broker.events.listenerCount('added')).toBe(0);
  });
});
