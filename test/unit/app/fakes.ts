// Small stand-ins for Electron's BrowserWindow/webContents/ipcMain (Electron cannot run here).
// They record what the shell asked of them and let a test fire the events Electron would.
import type { FramePort, IpcMainInvokeEventPort, IpcMainPort, NavigationEvent, WindowOpenResponse, WindowOptions, WindowPort, WebContentsPort } from '../../../main/app/ports.ts';

let nextId = 1;

export class FakeWebContents implements WebContentsPort {
  readonly id = nextId++;
  /** The window's top-level frame, as webContents.mainFrame. */
  readonly mainFrame: FramePort = { url: '', processId: 100 + this.id, frameToken: `main-${this.id}`, parent: null };
  readonly listeners = new Map<string, Array<(event: NavigationEvent, url: string) => void>>();
  openHandler: ((details: { url: string }) => WindowOpenResponse) | null = null;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  destroyed = false;

  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent, url: string) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenResponse): void {
    this.openHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Fires a navigation the way Electron would; returns whether it was prevented. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    for (const listener of this.listeners.get(event) ?? []) listener({ preventDefault: () => { prevented = true; } }, url);
    return prevented;
  }
}

export class FakeWindow implements WindowPort {
  static created: FakeWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly options: WindowOptions;
  loadedUrls: string[] = [];
  shown = false;
  focused = 0;
  closed = false;
  private readonly onceListeners = new Map<string, Array<() => void>>();

  constructor(options: WindowOptions) {
    this.options = options;
    FakeWindow.created.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused++;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.webContents.destroyed = true;
    this.fire('closed');
  }
  isDestroyed(): boolean {
    return this.closed;
  }
  once(event: 'ready-to-show' | 'closed', listener: () => void): this {
    this.onceListeners.set(event, [...(this.onceListeners.get(event) ?? []), listener]);
    return this;
  }
  fire(event: 'ready-to-show' | 'closed'): void {
    const listeners = this.onceListeners.get(event) ?? [];
    this.onceListeners.delete(event);
    for (const listener of listeners) listener();
  }
}

export class FakeIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, (event: IpcMainInvokeEventPort, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: IpcMainInvokeEventPort, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What Electron does for ipcRenderer.invoke(channel, ...args) from the main frame of `sender`, showing `frameUrl`. */
  invoke(channel: string, sender: FakeWebContents, frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
    return this.invokeFromFrame(channel, sender, frameUrl === null ? null : { ...sender.mainFrame, url: frameUrl }, ...args);
  }
  /** The same from any frame of `sender` (an iframe: another token, a parent). */
  invokeFromFrame(channel: string, sender: FakeWebContents, frame: FramePort | null, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return handler({ sender, senderFrame: frame }, ...args);
  }
}
