// The one place that creates windows. Every window is sandboxed, context-isolated, without Node,
// loads only app:// pages, cannot navigate away or open windows (http(s) links go to the OS
// browser after validation) and gets the preload's contract as its only way to the daemon.
import { appUrl, isAppUrl, isSafeExternalUrl } from './app-origin.ts';
import type { WindowConstructor, WindowOptions, WindowPort } from './ports.ts';

export interface WindowFactoryDeps {
  readonly BrowserWindow: WindowConstructor;
  /** Absolute path of the built preload script. */
  readonly preloadPath: string;
  /** shell.openExternal: only called with validated http(s) URLs. */
  readonly openExternal: (url: string) => Promise<void>;
  /** Called for each created window so IPC can trust its webContents (and forget it on close). */
  readonly onWindowCreated?: (window: WindowPort) => void;
  readonly log?: (message: string) => void;
}

export interface WindowRequest {
  readonly route: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly minWidth?: number;
  readonly minHeight?: number;
  /** Approval pop-ups: small, on top, not in the taskbar, not resizable. */
  readonly popup?: boolean;
}

export class WindowFactory {
  private readonly deps: WindowFactoryDeps;

  constructor(deps: WindowFactoryDeps) {
    this.deps = deps;
  }

  optionsFor(request: WindowRequest): WindowOptions {
    return {
      width: request.width,
      height: request.height,
      ...(request.minWidth ? { minWidth: request.minWidth } : {}),
      ...(request.minHeight ? { minHeight: request.minHeight } : {}),
      title: request.title,
      show: false,
      autoHideMenuBar: true,
      ...(request.popup ? { alwaysOnTop: true, resizable: false, minimizable: false, maximizable: false, skipTaskbar: true } : {}),
      webPreferences: {
        preload: this.deps.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        experimentalFeatures: false,
        navigateOnDragDrop: false,
        spellcheck: false,
      },
    };
  }

  create(request: WindowRequest): WindowPort {
    const window = new this.deps.BrowserWindow(this.optionsFor(request));
    const contents = window.webContents;
    const blockNavigation = (event: { preventDefault(): void }, url: string): void => {
      // Route changes inside the app use the hash and never fire will-navigate; anything else is
      // a page trying to leave the app.
      event.preventDefault();
      this.deps.log?.(`blocked navigation to ${url}`);
      this.openIfSafe(url);
    };
    contents.on('will-navigate', blockNavigation);
    contents.on('will-redirect', blockNavigation);
    contents.setWindowOpenHandler(({ url }) => {
      this.openIfSafe(url);
      return { action: 'deny' };
    });
    window.once('ready-to-show', () => window.show());
    this.deps.onWindowCreated?.(window);
    void window.loadURL(appUrl(request.route)).catch((error: unknown) => this.deps.log?.(`failed to load ${request.route}: ${String(error)}`));
    return window;
  }

  private openIfSafe(url: string): void {
    if (isAppUrl(url)) return;
    if (!isSafeExternalUrl(url)) {
      this.deps.log?.(`refused to open ${url}: only http(s) links open in the browser`);
      return;
    }
    void this.deps.openExternal(url).catch((error: unknown) => this.deps.log?.(`could not open ${url}: ${String(error)}`));
  }
}
