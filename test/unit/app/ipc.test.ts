import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../shared/api/define.ts';
import { APP_ORIGIN } from '../../../main/app/app-origin.ts';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, IpcBridge } from '../../../main/app/ipc.ts';
import { FakeIpcMain, FakeWebContents } from './fakes.ts';

function setup() {
  const ipcMain = new FakeIpcMain();
  const dispatched: Array<{ method: string; input: unknown; caller: Caller }> = [];
  const bridge = new IpcBridge({
    ipcMain,
    dispatcher: { dispatch: async (method, input, caller) => { dispatched.push({ method, input, caller }); return { ok: true, result: { pong: true } }; } },
  });
  bridge.start();
  return { ipcMain, bridge, dispatched };
}

const APP_PAGE = `${APP_ORIGIN}/index.html#/servers`;

describe('IpcBridge sender validation', () => {
  it('dispatches a call from an app page in one of our windows, as the ipc caller', async () => {
    const { ipcMain, bridge, dispatched } = setup();
    const ours = new FakeWebContents();
    bridge.trust(ours);
    const result = await ipcMain.invoke(IPC_CALL_CHANNEL, ours, APP_PAGE, 'servers.list', {});
    expect(result).toEqual({ ok: true, result: { pong: true } });
    expect(dispatched).toEqual([{ method: 'servers.list', input: {}, caller: { kind: 'ipc' } }]);
  });

  it('rejects a foreign frame inside our window and never dispatches it', async () => {
    const { ipcMain, bridge, dispatched } = setup();
    const ours = new FakeWebContents();
    bridge.trust(ours);
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'app://switchboard.evil.example/index.html', 'app://evil/index.html', 'about:blank', '']) {
      const result = await ipcMain.invoke(IPC_CALL_CHANNEL, ours, url, 'approvals.answer', { id: 'a', answer: 'always' });
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(dispatched).toEqual([]);
  });

  it('rejects an iframe of our window even when it shows an app page', async () => {
    const { ipcMain, bridge, dispatched } = setup();
    const ours = new FakeWebContents();
    bridge.trust(ours);
    const main = ours.mainFrame;
    const child = { url: APP_PAGE, processId: main.processId, frameToken: 'child-1', parent: main };
    // An out-of-process iframe, and one that claims the main frame's token but has a parent.
    const remote = { url: APP_PAGE, processId: main.processId + 1, frameToken: main.frameToken, parent: null };
    const nested = { ...main, url: APP_PAGE, parent: main };
    for (const frame of [child, remote, nested]) {
      expect(await ipcMain.invokeFromFrame(IPC_CALL_CHANNEL, ours, frame, 'approvals.answer', { id: 'a', answer: 'always' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: /not the window's main frame/ } });
    }
    expect(dispatched).toEqual([]);
    expect(await ipcMain.invokeFromFrame(IPC_CALL_CHANNEL, ours, { ...main, url: APP_PAGE }, 'servers.list', {})).toMatchObject({ ok: true });
  });

  it('rejects a sender whose frame is gone', async () => {
    const { ipcMain, bridge, dispatched } = setup();
    const ours = new FakeWebContents();
    bridge.trust(ours);
    expect(await ipcMain.invoke(IPC_CALL_CHANNEL, ours, null, 'servers.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden', message: /frame is gone/ } });
    expect(dispatched).toEqual([]);
  });

  it('rejects the main frame of a webContents that is not one of our windows, even on an app URL', async () => {
    const { ipcMain, dispatched } = setup();
    const stranger = new FakeWebContents();
    expect(await ipcMain.invoke(IPC_CALL_CHANNEL, stranger, APP_PAGE, 'servers.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden', message: /not a Switchboard window/ } });
    expect(dispatched).toEqual([]);
  });

  it('stops trusting a window once it is forgotten (closed)', async () => {
    const { ipcMain, bridge, dispatched } = setup();
    const ours = new FakeWebContents();
    const forget = bridge.trust(ours);
    forget();
    expect(await ipcMain.invoke(IPC_CALL_CHANNEL, ours, APP_PAGE, 'servers.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(dispatched).toEqual([]);
  });

  it('rejects a non-string method without dispatching', async () => {
    const { ipcMain, bridge, dispatched } = setup();
    const ours = new FakeWebContents();
    bridge.trust(ours);
    expect(await ipcMain.invoke(IPC_CALL_CHANNEL, ours, APP_PAGE, { toString: () => 'x' }, {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(dispatched).toEqual([]);
  });

  it('broadcasts events only to live trusted windows', () => {
    const { bridge } = setup();
    const a = new FakeWebContents();
    const b = new FakeWebContents();
    const stranger = new FakeWebContents();
    bridge.trust(a);
    bridge.trust(b);
    b.destroyed = true;
    bridge.broadcast({ event: 'audit.record', data: { id: 'r1' } });
    expect(a.sent).toEqual([{ channel: IPC_EVENT_CHANNEL, args: [{ event: 'audit.record', data: { id: 'r1' } }] }]);
    expect(b.sent).toEqual([]);
    expect(stranger.sent).toEqual([]);
  });

  it('removes its handler on stop', () => {
    const { ipcMain, bridge } = setup();
    bridge.stop();
    expect(ipcMain.handlers.has(IPC_CALL_CHANNEL)).toBe(false);
  });
});
