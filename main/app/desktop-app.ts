// The desktop app's lifecycle: single instance, the daemon started in-process, the main window,
// approval pop-ups, tray status, deep links and start-at-login. Every Electron piece is injected
// (main.ts passes the real ones) so the whole flow runs in unit tests without Electron.
import type { ApiEvent } from '../../shared/api/events.ts';
import type { LoginItemControl } from '../api/index.ts';
import type { UpdaterPort } from '../updates/update-controller.ts';
import { ApprovalNotifier, type ApprovalNoticeSource, type NotificationPresenter } from './approval-notifier.ts';
import { SloNotifier, type SloAlertSource } from './slo-notifier.ts';
import { ApprovalQueue, type PopupHandle } from './approval-queue.ts';
import { catalogRoute, findDeepLink, parseDeepLink } from './deep-link.ts';
import { IpcBridge, type CallDispatcher } from './ipc.ts';
import type { IpcMainPort, WindowPort } from './ports.ts';
import { trayView, type TrayState, type TrayView } from './tray-status.ts';
import type { WindowFactory } from './window-factory.ts';

/** What the shell needs from the daemon it runs in-process (main/switchboard.ts, startDesktopDaemon, provides it). */
export interface InProcessDaemon {
  readonly dispatcher: CallDispatcher;
  readonly events: { subscribe(listener: (event: ApiEvent) => void): () => void };
  stop(): Promise<void>;
}

export interface StartDaemonOptions {
  readonly mode: 'desktop';
  /** The OS login item; the daemon mirrors settings.startAtLogin to it. */
  readonly loginItem: LoginItemControl;
  /** electron-updater's autoUpdater in the packaged app; the daemon decides when and what it may install. */
  readonly updater?: UpdaterPort;
}

export interface AppPort {
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<unknown>;
  on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): unknown;
  on(event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'window-all-closed' | 'before-quit' | 'activate', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
  setAsDefaultProtocolClient(protocol: string): boolean;
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  /** The pending-approval count on the dock (macOS) or launcher (Linux Unity); false where unsupported. */
  setBadgeCount?(count?: number): boolean;
}

export interface DesktopAppDeps {
  readonly app: AppPort;
  readonly ipcMain: IpcMainPort;
  readonly windows: WindowFactory;
  readonly startDaemon: (options: StartDaemonOptions) => Promise<InProcessDaemon>;
  /** Shows the tray's tooltip/title/menu; `onSelect` receives the menu item's id. */
  readonly renderTray: (view: TrayView, onSelect: (id: TrayView['menu'][number]['id']) => void) => void;
  /** Runs once the app is ready, before any window: protocol handler, session hardening. */
  readonly prepareSession: () => void;
  /** OS notifications (Electron's Notification); none when absent. */
  readonly notifications?: NotificationPresenter;
  /** The self-updater (packaged app only). */
  readonly updater?: UpdaterPort;
  readonly argv: readonly string[];
  readonly log: (message: string) => void;
}

export class DesktopApp {
  private readonly deps: DesktopAppDeps;
  private readonly ipc: IpcBridge;
  private readonly approvals: ApprovalQueue;
  private readonly notifier: ApprovalNotifier;
  private readonly sloNotifier: SloNotifier;
  private daemon: InProcessDaemon | null = null;
  private mainWindow: WindowPort | null = null;
  private quitting = false;
  private trayState: TrayState = { daemon: 'starting', pendingApprovals: 0 };
  private readonly serverStates = new Map<string, string>();
  private readonly dispatcher: CallDispatcher = {
    dispatch: (method, input, caller) =>
      this.daemon
        ? this.daemon.dispatcher.dispatch(method, input, caller)
        : Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'the daemon is not running' } }),
  };

  constructor(deps: DesktopAppDeps) {
    this.deps = deps;
    this.ipc = new IpcBridge({ ipcMain: deps.ipcMain, dispatcher: this.dispatcher, log: deps.log });
    this.approvals = new ApprovalQueue({ openPopup: (approval) => this.openApprovalPopup(approval.id) });
    this.notifier = new ApprovalNotifier({
      presenter: deps.notifications ?? { supported: false, supportsActions: false, show: () => ({ close: () => {} }) },
      answer: async (id, answer) => (await this.dispatcher.dispatch('approvals.answer', { id, answer }, { kind: 'ipc' })).ok,
      focus: (id) => this.approvals.focus(id),
      log: deps.log,
    });
    this.sloNotifier = new SloNotifier({
      presenter: deps.notifications ?? { supported: false, supportsActions: false, show: () => ({ close: () => {} }) },
      open: () => this.showMainWindow(),
    });
  }

  /** Returns false when another instance already runs (this one then quits). */
  async start(): Promise<boolean> {
    const { app } = this.deps;
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return false;
    }
    app.on('second-instance', (_event, argv) => {
      const link = findDeepLink(argv);
      if (link) this.handleDeepLink(link);
      else this.showMainWindow();
    });
    app.on('open-url', (event, url) => {
      event.preventDefault();
      this.handleDeepLink(url);
    });
    // Closing the last window keeps the daemon (and the clients' proxies) running in the tray.
    app.on('window-all-closed', () => {});
    app.on('activate', () => this.showMainWindow());
    app.on('before-quit', () => {
      this.quitting = true;
    });
    await app.whenReady();
    this.deps.prepareSession();
    app.setAsDefaultProtocolClient('switchboard');
    this.ipc.start();
    this.renderTray();
    try {
      this.daemon = await this.deps.startDaemon({ mode: 'desktop', loginItem: this.loginItem(), ...(this.deps.updater ? { updater: this.deps.updater } : {}) });
      this.daemon.events.subscribe((event) => this.onDaemonEvent(event));
      this.trayState = { ...this.trayState, daemon: 'running' };
      void this.syncApprovals();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log(`daemon failed to start: ${message}`);
      this.trayState = { ...this.trayState, daemon: 'failed', error: message };
    }
    this.renderTray();
    const link = findDeepLink(this.deps.argv);
    if (link) this.handleDeepLink(link);
    else this.showMainWindow();
    return true;
  }

  async stop(): Promise<void> {
    this.approvals.closeAll();
    this.notifier.closeAll();
    this.sloNotifier.closeAll();
    this.ipc.stop();
    const daemon = this.daemon;
    this.daemon = null;
    await daemon?.stop();
  }

  get pendingApprovalIds(): { showing: string | null; waiting: string[]; notified: string[] } {
    return { showing: this.approvals.showing, waiting: this.approvals.waiting, notified: this.notifier.showing };
  }

  get isQuitting(): boolean {
    return this.quitting;
  }

  handleDeepLink(link: string): void {
    const parsed = parseDeepLink(link);
    if (!parsed.ok) {
      this.deps.log(`ignored deep link: ${parsed.error}`);
      this.showMainWindow();
      return;
    }
    // A registry entry opens in the Catalog, which shows what policy says and asks before installing.
    if ('catalog' in parsed) {
      this.showMainWindow(catalogRoute(parsed.catalog));
      return;
    }
    // The Servers page shows what would be added and asks before adding anything.
    this.showMainWindow(`/servers?install=${encodeURIComponent(JSON.stringify(parsed.request))}`);
  }

  showMainWindow(route?: string): void {
    if (this.mainWindow && !this.mainWindow.isDestroyed()) {
      if (route) void this.mainWindow.loadURL(`app://switchboard/index.html#${route}`);
      this.mainWindow.show();
      this.mainWindow.focus();
      return;
    }
    this.mainWindow = this.openWindow({ route: route ?? '/servers', title: 'MCP Switchboard', width: 1200, height: 800, minWidth: 880, minHeight: 560 });
    this.mainWindow.once('closed', () => {
      this.mainWindow = null;
    });
  }

  private openWindow(request: Parameters<WindowFactory['create']>[0]): WindowPort {
    const window = this.deps.windows.create(request);
    const forget = this.ipc.trust(window.webContents);
    window.once('closed', forget);
    return window;
  }

  private openApprovalPopup(id: string): PopupHandle {
    const window = this.openWindow({ route: `/approval/${encodeURIComponent(id)}`, title: 'Approve tool call?', width: 520, height: 560, popup: true });
    return {
      close: () => {
        if (!window.isDestroyed()) window.close();
      },
      focus: () => {
        if (window.isDestroyed()) return;
        window.show();
        window.focus();
      },
      onClosed: (listener) => {
        window.once('closed', listener);
      },
    };
  }

  private onDaemonEvent(event: ApiEvent): void {
    this.ipc.broadcast(event);
    if (event.event === 'approval.added') {
      this.approvals.add({ id: event.data.id });
      this.notifier.added(event.data as ApprovalNoticeSource);
    } else if (event.event === 'approval.resolved') {
      this.approvals.resolve(event.data.id);
      this.notifier.resolved(event.data.id);
    }
    else if (event.event === 'server.state') this.serverStates.set(event.data.serverId, event.data.state);
    else if (event.event === 'slo.alert') return this.sloNotifier.alert(event.data as SloAlertSource);
    else return;
    this.renderTray();
  }

  private async syncApprovals(): Promise<void> {
    const result = await this.dispatcher.dispatch('approvals.list', {}, { kind: 'ipc' });
    if (!result.ok) return;
    const raw = result.result as unknown;
    const list = Array.isArray(raw) ? raw : ((raw as { pending?: unknown; approvals?: unknown; items?: unknown } | null)?.pending ?? (raw as { approvals?: unknown })?.approvals ?? (raw as { items?: unknown })?.items);
    if (!Array.isArray(list)) return;
    const pending = list.filter((a): a is ApprovalNoticeSource => typeof a?.id === 'string' && (a.status === undefined || a.status === 'pending'));
    this.approvals.sync(pending.map((a) => ({ id: a.id })));
    this.notifier.sync(pending.map((a) => a.id));
    for (const approval of pending) this.notifier.added(approval);
    this.renderTray();
  }

  private loginItem(): LoginItemControl {
    return {
      get: () => this.deps.app.getLoginItemSettings().openAtLogin,
      set: (enabled) => this.deps.app.setLoginItemSettings({ openAtLogin: enabled }),
    };
  }

  private renderTray(): void {
    const states = [...this.serverStates.values()];
    this.trayState = {
      ...this.trayState,
      pendingApprovals: this.approvals.pendingCount,
      ...(states.length > 0 ? { serversTotal: states.length, serversReady: states.filter((s) => s === 'ready').length } : {}),
    };
    this.deps.app.setBadgeCount?.(this.trayState.pendingApprovals);
    this.deps.renderTray(trayView(this.trayState), (id) => {
      if (id === 'open') this.showMainWindow();
      else if (id === 'approvals') this.showMainWindow('/approvals');
      else if (id === 'quit') this.deps.app.quit();
    });
  }
}
