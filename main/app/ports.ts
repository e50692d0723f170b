// The slices of Electron's API that the shell uses, as narrow interfaces: main.ts passes the real
// Electron objects (type-checked against electron.d.ts), unit tests pass small fakes.
export interface NavigationEvent {
  preventDefault(): void;
}

export type WindowOpenResponse = { action: 'deny' } | { action: 'allow' };

export interface WebContentsPort {
  readonly id: number;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenResponse): void;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface WindowPort {
  readonly webContents: WebContentsPort;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  close(): void;
  isDestroyed(): boolean;
  once(event: 'ready-to-show' | 'closed', listener: () => void): unknown;
}

/** The subset of BrowserWindowConstructorOptions the factory sets. */
export interface WindowOptions {
  width: number;
  height: number;
  minWidth?: number;
  minHeight?: number;
  title: string;
  show: boolean;
  alwaysOnTop?: boolean;
  resizable?: boolean;
  minimizable?: boolean;
  maximizable?: boolean;
  skipTaskbar?: boolean;
  backgroundColor?: string;
  autoHideMenuBar?: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    webviewTag: false;
    experimentalFeatures: false;
    navigateOnDragDrop: false;
    spellcheck: boolean;
  };
}

export type WindowConstructor = new (options: WindowOptions) => WindowPort;

export interface PermissionSessionPort {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler?(handler: () => boolean): void;
}

/** A frame (Electron's WebFrameMain): frameToken names one document's frame within its process. */
export interface FramePort {
  readonly url: string;
  readonly processId: number;
  readonly frameToken: string;
  readonly parent: unknown;
}

export interface IpcMainInvokeEventPort {
  readonly sender: { readonly id: number; readonly mainFrame: FramePort };
  readonly senderFrame: FramePort | null;
}

export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcMainInvokeEventPort, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}
