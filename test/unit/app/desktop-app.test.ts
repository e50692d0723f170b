import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../shared/api/events.ts';
import { APP_ORIGIN } from '../../../main/app/app-origin.ts';
import { DesktopApp, type AppPort, type InProcessDaemon } from '../../../main/app/desktop-app.ts';
import { IPC_CALL_CHANNEL } from '../../../main/app/ipc.ts';
import type { TrayView } from '../../../main/app/tray-status.ts';
import { WindowFactory } from '../../../main/app/window-factory.ts';
import { FakeIpcMain, FakeWindow } from './fakes.ts';

class FakeApp implements AppPort {
  lock = true;
  quitCalls = 0;
  openAtLogin = false;
  protocols: string[] = [];
  readonly listeners = new Map<string, Array<(...args: any[]) => void>>();
  requestSingleInstanceLock(): boolean { return this.lock; }
  async whenReady(): Promise<void> {}
  on(event: string, listener: (...args: any[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }
  quit(): void { this.quitCalls++; }
  setAsDefaultProtocolClient(protocol: string): boolean { this.protocols.push(protocol); return true; }
  getLoginItemSettings() { return { openAtLogin: this.openAtLogin }; }
  setLoginItemSettings(s: { openAtLogin: boolean }) { this.openAtLogin = s.openAtLogin; }
}

function setup(options: { pending?: string[]; failDaemon?: boolean } = {}) {
  const app = new FakeApp();
  const ipcMain = new FakeIpcMain();
  let emit: (event: ApiEvent) => void = () => {};
  const trays: TrayView[] = [];
  const dispatched: string[] = [];
  let stopped = false;
  const daemon: InProcessDaemon = {
    dispatcher: {
      dispatch: async (method) => {
        dispatched.push(method);
        if (method === 'approvals.list') return { ok: true, result: (options.pending ?? []).map((id) => ({ id, status: 'pending' })) };
        return { ok: true, result: {} };
      },
    },
    events: { subscribe: (listener) => { emit = listener; return () => {}; } },
    stop: async () => { stopped = true; },
  };
  const desktop = new DesktopApp({
    app,
    ipcMain,
    windows: new WindowFactory({ BrowserWindow: FakeWindow, preloadPath: '/p.cjs', openExternal: async () => {} }),
    startDaemon: async () => { if (options.failDaemon) throw new Error('port 47821 in use'); return daemon; },
    renderTray: (view) => { trays.push(view); },
    prepareSession: () => {},
    argv: ['/opt/switchboard'],
    log: () => {},
  });
  return { app, ipcMain, desktop, trays, dispatched, emit: (e: ApiEvent) => emit(e), isStopped: () => stopped };
}

const routes = () => FakeWindow.created.map((w) => w.loadedUrls.at(-1)!.replace(`${APP_ORIGIN}/index.html#`, ''));
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  FakeWindow.created = [];
});

describe('DesktopApp', () => {
  it('quits when another instance holds the lock', async () => {
    const { app, desktop } = setup();
    app.lock = false;
    expect(await desktop.start()).toBe(false);
    expect(app.quitCalls).toBe(1);
    expect(FakeWindow.created).toEqual([]);
  });

  it('starts the daemon, registers switchboard://, opens the main window and trusts it for IPC', async () => {
    const { app, ipcMain, desktop, dispatched } = setup();
    await desktop.start();
    expect(app.protocols).toEqual(['switchboard']);
    expect(routes()).toEqual(['/servers']);
    const main = FakeWindow.created[0]!;
    await ipcMain.invoke(IPC_CALL_CHANNEL, main.webContents, `${APP_ORIGIN}/index.html#/servers`, 'servers.list', {});
    expect(dispatched).toContain('servers.list');
  });

  it('opens one approval pop-up at a time from daemon events and updates the tray count', async () => {
    const { desktop, emit, trays } = setup();
    await desktop.start();
    emit({ event: 'approval.added', data: { id: 'a1' } });
    emit({ event: 'approval.added', data: { id: 'a2' } });
    expect(routes()).toEqual(['/servers', '/approval/a1']);
    expect(trays.at(-1)!.title).toBe('2');
    emit({ event: 'approval.resolved', data: { id: 'a1', answer: 'deny' } });
    expect(FakeWindow.created[1]!.closed).toBe(true);
    expect(routes()).toEqual(['/servers', '/approval/a1', '/approval/a2']);
    expect(trays.at(-1)!.tooltip).toMatch(/1 pending approval$/);
  });

  it('shows approvals already pending when it starts', async () => {
    const { desktop } = setup({ pending: ['p1', 'p2'] });
    await desktop.start();
    await flush();
    expect(routes()).toEqual(['/servers', '/approval/p1']);
    expect(desktop.pendingApprovalIds).toEqual({ showing: 'p1', waiting: ['p2'], notified: [] });
  });

  it('routes a deep link from a second instance to the confirmation on the Servers page, adding nothing', async () => {
    const { app, desktop, dispatched } = setup();
    await desktop.start();
    app.emit('second-instance', {}, ['/opt/switchboard', 'switchboard://install?id=mem&command=npx&arg=-y']);
    const route = FakeWindow.created[0]!.loadedUrls.at(-1)!;
    expect(route).toContain('#/servers?install=');
    expect(JSON.parse(decodeURIComponent(route.split('install=')[1]!))).toMatchObject({ id: 'mem', command: 'npx', args: ['-y'] });
    expect(dispatched.filter((m) => m.startsWith('servers.'))).toEqual([]);
  });

  it('keeps running in the tray when the last window closes, and shows the failure when the daemon cannot start', async () => {
    const { app, desktop, trays } = setup({ failDaemon: true });
    await desktop.start();
    expect(trays.at(-1)!.tooltip).toMatch(/Failed: port 47821 in use/);
    FakeWindow.created[0]!.close();
    app.emit('window-all-closed', { preventDefault() {} });
    expect(app.quitCalls).toBe(0);
  });

  it('stops the daemon and closes pop-ups on stop', async () => {
    const { desktop, emit, isStopped } = setup();
    await desktop.start();
    emit({ event: 'approval.added', data: { id: 'a1' } });
    await desktop.stop();
    expect(isStopped()).toBe(true);
    expect(FakeWindow.created[1]!.closed).toBe(true);
  });
});
