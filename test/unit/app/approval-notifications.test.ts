// The desktop shell over a real approval broker, its real API handlers and event hub (the same
// parts main/switchboard.ts wires): only Electron's Notification, windows and tray are stand-ins.
import { beforeEach, describe, expect, it } from 'vitest';
import { apiContract } from '../../../shared/api/contract.ts';
import { APP_ORIGIN } from '../../../main/app/app-origin.ts';
import type { NoticeContent, NotificationPresenter } from '../../../main/app/approval-notifier.ts';
import { DesktopApp, type AppPort, type InProcessDaemon } from '../../../main/app/desktop-app.ts';
import { IPC_CALL_CHANNEL } from '../../../main/app/ipc.ts';
import type { TrayView } from '../../../main/app/tray-status.ts';
import { WindowFactory } from '../../../main/app/window-factory.ts';
import { createApprovalsHandlers } from '../../../main/api/approvals.ts';
import { ApiDispatcher } from '../../../main/api/dispatcher.ts';
import { connectEventSources, EventHub } from '../../../main/api/events.ts';
import { ApprovalBroker, type ApprovalRequest } from '../../../main/approvals/broker.ts';
import { FakeIpcMain, FakeWindow } from './fakes.ts';

class FakeApp implements AppPort {
  badge: number | undefined;
  requestSingleInstanceLock(): boolean { return true; }
  async whenReady(): Promise<void> {}
  on(): this { return this; }
  quit(): void {}
  setAsDefaultProtocolClient(): boolean { return true; }
  getLoginItemSettings() { return { openAtLogin: false }; }
  setLoginItemSettings(): void {}
  setBadgeCount(count?: number): boolean { this.badge = count; return true; }
}

interface Shown { content: NoticeContent; open: boolean; click(): void; action(index: number): void }

class FakeNotifications implements NotificationPresenter {
  readonly shown: Shown[] = [];
  readonly supported = true;
  readonly supportsActions: boolean;
  constructor(supportsActions = true) {
    this.supportsActions = supportsActions;
  }
  show(content: NoticeContent, on: { click(): void; action(index: number): void }) {
    const entry: Shown = { content, open: true, click: on.click, action: on.action };
    this.shown.push(entry);
    return { close: () => { entry.open = false; } };
  }
  get open(): Shown[] {
    return this.shown.filter((s) => s.open);
  }
}

const ASK: ApprovalRequest = {
  kind: 'policy', sessionId: 's1', clientLabel: 'Claude Desktop', serverId: 'github', tool: 'delete_repo',
  arguments: { repo: 'x' }, rule: 'managed: ask github/delete_*', source: 'managed', choices: ['allow-once', 'allow-session'],
};

async function setup(options: { supportsActions?: boolean } = {}) {
  const broker = new ApprovalBroker({ timeoutMs: () => 60_000 });
  const hub = new EventHub();
  connectEventSources(hub, { approvals: broker });
  const daemon: InProcessDaemon = {
    dispatcher: new ApiDispatcher(apiContract, createApprovalsHandlers({ broker })),
    events: { subscribe: (listener) => hub.subscribe(listener) },
    stop: async () => broker.dispose(),
  };
  const app = new FakeApp();
  const ipcMain = new FakeIpcMain();
  const notifications = new FakeNotifications(options.supportsActions ?? true);
  const trays: TrayView[] = [];
  const desktop = new DesktopApp({
    app,
    ipcMain,
    windows: new WindowFactory({ BrowserWindow: FakeWindow, preloadPath: '/p.cjs', openExternal: async () => {} }),
    startDaemon: async () => daemon,
    renderTray: (view) => { trays.push(view); },
    prepareSession: () => {},
    notifications,
    argv: ['/opt/switchboard'],
    log: () => {},
  });
  await desktop.start();
  return { broker, desktop, app, ipcMain, notifications, trays, tray: () => trays.at(-1)! };
}

const popups = () => FakeWindow.created.filter((w) => w.loadedUrls.at(-1)!.includes('#/approval/'));
const openPopups = () => popups().filter((w) => !w.closed).map((w) => w.loadedUrls.at(-1)!.replace(`${APP_ORIGIN}/index.html#/approval/`, ''));
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  FakeWindow.created = [];
});

describe('approvals that reach the user: notifications', () => {
  it('a pending approval raises one notification naming the tool, server, client and rule', async () => {
    const { broker, notifications } = await setup();
    void broker.request(ASK);
    void broker.request(ASK); // the same call again shares the approval
    expect(notifications.shown).toHaveLength(1);
    const { content } = notifications.shown[0]!;
    expect(content.title).toBe('Approve delete_repo on github?');
    expect(content.body).toContain('Claude Desktop wants to call delete_repo on github');
    expect(content.body).toContain('Rule: managed: ask github/delete_*');
    expect(content.actions).toEqual(['Deny', 'Allow once']);
    // Normal urgency, no custom sound: the OS's do-not-disturb holds; the pop-up opens anyway.
    expect(content).toMatchObject({ urgency: 'normal', silent: false });
    expect(openPopups()).toEqual([broker.list()[0]!.id]);
  });

  it('"Allow once" on the notification answers the broker: the waiting call proceeds and the notification and pop-up close', async () => {
    const { broker, notifications, tray } = await setup();
    const outcome = broker.request(ASK);
    expect(tray().title).toBe('1');
    notifications.shown[0]!.action(1);
    await expect(outcome).resolves.toEqual({ approved: true, answer: 'allow-once', approver: 'user:allow-once' });
    expect(broker.history(1)[0]).toMatchObject({ answer: 'allow-once', by: 'ui' });
    expect(notifications.open).toEqual([]);
    expect(openPopups()).toEqual([]);
    expect(tray().title).toBe('');
  });

  it('"Deny" on the notification denies the call', async () => {
    const { broker, notifications } = await setup();
    const outcome = broker.request(ASK);
    notifications.shown[0]!.action(0);
    await expect(outcome).resolves.toMatchObject({ approved: false, answer: 'deny' });
  });

  it('an answer from elsewhere (the pop-up) closes the notification', async () => {
    const { broker, notifications, ipcMain } = await setup();
    const outcome = broker.request(ASK);
    const id = broker.list()[0]!.id;
    const popup = popups()[0]!;
    await ipcMain.invoke(IPC_CALL_CHANNEL, popup.webContents, `${APP_ORIGIN}/index.html#/approval/${id}`, 'approvals.answer', { id, answer: 'deny' });
    await expect(outcome).resolves.toMatchObject({ answer: 'deny' });
    expect(notifications.open).toEqual([]);
  });

  it('clicking a notification brings that approval\'s pop-up to the front, in place of the one showing', async () => {
    const { broker, notifications } = await setup();
    void broker.request(ASK);
    void broker.request({ ...ASK, tool: 'delete_branch', arguments: { branch: 'main' } });
    const [first, second] = broker.list().map((a) => a.id);
    expect(openPopups()).toEqual([first]);
    notifications.shown[1]!.click();
    expect(openPopups()).toEqual([second]);
    expect(popups().at(-1)!.focused).toBeGreaterThan(0);
  });

  it('a button pressed on a notification whose approval was answered meanwhile answers nothing more', async () => {
    const { broker, notifications } = await setup();
    void broker.request(ASK);
    const stale = notifications.shown[0]!;
    await broker.answer(broker.list()[0]!.id, 'deny', 'cli');
    stale.action(1);
    await settle();
    expect(broker.history(5).map((a) => a.answer)).toEqual(['deny']);
  });

  it('offers no buttons where the OS has no notification actions (Linux); clicking still opens the pop-up', async () => {
    const { broker, notifications } = await setup({ supportsActions: false });
    void broker.request(ASK);
    expect(notifications.shown[0]!.content.actions).toEqual([]);
    expect(openPopups()).toHaveLength(1);
  });

  it('offers "Allow once" only when the policy offers it', async () => {
    const { broker, notifications } = await setup();
    void broker.request({ ...ASK, choices: [] });
    expect(notifications.shown[0]!.content.actions).toEqual(['Deny']);
  });
});

describe('approvals that reach the user: the tray count follows the queue', () => {
  it('counts pending approvals as they come and go, also one whose pop-up the user closed', async () => {
    const { broker, tray, app } = await setup();
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const outcomes = controllers.map((c, i) => broker.request({ ...ASK, arguments: { n: i }, signal: c.signal }));
    expect(tray().title).toBe('3');
    expect(tray().tooltip).toMatch(/3 pending approvals$/);
    expect(app.badge).toBe(3);
    // The user closes the first pop-up without answering: still pending, still counted.
    popups()[0]!.close();
    expect(tray().title).toBe('3');
    await broker.answer(broker.list()[1]!.id, 'allow-once', 'cli');
    expect(tray().title).toBe('2');
    controllers[2]!.abort(); // the client cancelled: withdrawn
    expect(tray().title).toBe('1');
    expect(tray().menu.find((m) => m.id === 'approvals')).toMatchObject({ label: '1 pending approval', enabled: true });
    await broker.answer(broker.list()[0]!.id, 'deny', 'cli');
    expect(tray().title).toBe('');
    expect(app.badge).toBe(0);
    await Promise.all(outcomes);
  });

  it('shows what was already pending when the app starts, with a notification each', async () => {
    const broker = new ApprovalBroker({ timeoutMs: () => 60_000 });
    void broker.request(ASK);
    void broker.request({ ...ASK, tool: 'other' });
    const hub = new EventHub();
    connectEventSources(hub, { approvals: broker });
    const notifications = new FakeNotifications();
    const trays: TrayView[] = [];
    const desktop = new DesktopApp({
      app: new FakeApp(),
      ipcMain: new FakeIpcMain(),
      windows: new WindowFactory({ BrowserWindow: FakeWindow, preloadPath: '/p.cjs', openExternal: async () => {} }),
      startDaemon: async () => ({ dispatcher: new ApiDispatcher(apiContract, createApprovalsHandlers({ broker })), events: { subscribe: (l) => hub.subscribe(l) }, stop: async () => broker.dispose() }),
      renderTray: (view) => { trays.push(view); },
      prepareSession: () => {},
      notifications,
      argv: ['/opt/switchboard'],
      log: () => {},
    });
    await desktop.start();
    await settle();
    expect(notifications.shown.map((s) => s.content.title)).toEqual(['Approve delete_repo on github?', 'Approve other on github?']);
    expect(trays.at(-1)!.title).toBe('2');
    await desktop.stop();
  });
});
