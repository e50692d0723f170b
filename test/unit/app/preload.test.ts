import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../../main/app/ipc.ts';

const exposed = new Map<string, any>();
const invoked: unknown[][] = [];
const listeners = new Map<string, Set<(...args: any[]) => void>>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke: async (...args: unknown[]) => { invoked.push(args); return { ok: true, result: 'r' }; },
    on: (channel: string, l: (...args: any[]) => void) => { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel)!.add(l); },
    removeListener: (channel: string, l: (...args: any[]) => void) => listeners.get(channel)?.delete(l),
  },
}));

beforeAll(async () => {
  await import('../../../preload/index.ts');
});

describe('preload', () => {
  it('exposes exactly one object, window.switchboard, of two functions', () => {
    expect([...exposed.keys()]).toEqual(['switchboard']);
    const api = exposed.get('switchboard');
    expect(Object.keys(api).sort()).toEqual(['call', 'on']);
    expect(typeof api.call).toBe('function');
  });

  it('sends calls on the channel main validates', async () => {
    const result = await exposed.get('switchboard').call('servers.list', { a: 1 });
    expect(result).toEqual({ ok: true, result: 'r' });
    expect(invoked).toEqual([[IPC_CALL_CHANNEL, 'servers.list', { a: 1 }]]);
  });

  it('delivers only the subscribed event, passes no Electron event object, and unsubscribes', () => {
    const seen: unknown[] = [];
    const off = exposed.get('switchboard').on('audit.record', (data: unknown) => seen.push(data));
    const fire = (message: unknown) => listeners.get(IPC_EVENT_CHANNEL)!.forEach((l) => l({ sender: 'ipc-event-object' }, message));
    fire({ event: 'audit.record', data: { id: 'r1' } });
    fire({ event: 'server.state', data: { serverId: 's', state: 'ready' } });
    off();
    fire({ event: 'audit.record', data: { id: 'r2' } });
    expect(seen).toEqual([{ id: 'r1' }]);
    expect(listeners.get(IPC_EVENT_CHANNEL)!.size).toBe(0);
  });
});
