import { beforeEach, describe, expect, it } from 'vitest';
import { APP_ORIGIN } from '../../../main/app/app-origin.ts';
import { denyAllPermissions } from '../../../main/app/session-hardening.ts';
import { WindowFactory } from '../../../main/app/window-factory.ts';
import { FakeWindow } from './fakes.ts';

function factory() {
  const opened: string[] = [];
  const windows = new WindowFactory({
    BrowserWindow: FakeWindow,
    preloadPath: '/app/dist/preload/index.cjs',
    openExternal: async (url) => { opened.push(url); },
  });
  return { windows, opened };
}

beforeEach(() => {
  FakeWindow.created = [];
});

describe('WindowFactory', () => {
  it('creates every window isolated, sandboxed, without Node, with web security and the preload', () => {
    const { windows } = factory();
    windows.create({ route: '/servers', title: 'Main', width: 1200, height: 800 });
    const prefs = FakeWindow.created[0]!.options.webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('loads only the app origin, and shows the window when it is ready', () => {
    const { windows } = factory();
    const window = windows.create({ route: '/approvals', title: 'Main', width: 1200, height: 800 }) as FakeWindow;
    expect(window.loadedUrls).toEqual([`${APP_ORIGIN}/index.html#/approvals`]);
    expect(window.shown).toBe(false);
    window.fire('ready-to-show');
    expect(window.shown).toBe(true);
  });

  it('makes approval pop-ups small, on top and out of the taskbar', () => {
    const { windows } = factory();
    windows.create({ route: '/approval/a1', title: 'Approve', width: 520, height: 560, popup: true });
    expect(FakeWindow.created[0]!.options).toMatchObject({ alwaysOnTop: true, resizable: false, skipTaskbar: true, width: 520 });
  });

  it('prevents every navigation and redirect away from the page', () => {
    const { windows, opened } = factory();
    const window = windows.create({ route: '/', title: 'Main', width: 1, height: 1 }) as FakeWindow;
    expect(window.webContents.navigate('will-navigate', 'https://evil.example/phish')).toBe(true);
    expect(window.webContents.navigate('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(window.webContents.navigate('will-navigate', `${APP_ORIGIN}/other.html`)).toBe(true);
    // A link the user followed out of the app goes to the OS browser, never into the window.
    expect(opened).toEqual(['https://evil.example/phish']);
  });

  it('denies new windows; http(s) links open in the OS browser, other schemes nowhere', () => {
    const { windows, opened } = factory();
    const window = windows.create({ route: '/', title: 'Main', width: 1, height: 1 }) as FakeWindow;
    const handler = window.webContents.openHandler!;
    expect(handler({ url: 'https://modelcontextprotocol.io/docs' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'smb://server/share' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://user:pw@evil.example/' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://modelcontextprotocol.io/docs']);
  });
});

describe('denyAllPermissions', () => {
  it('denies every permission request and check', () => {
    let request: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | undefined;
    let check: ((wc: unknown, permission: string) => boolean) | undefined;
    let device: (() => boolean) | undefined;
    denyAllPermissions({
      setPermissionRequestHandler: (h) => { request = h; },
      setPermissionCheckHandler: (h) => { check = h; },
      setDevicePermissionHandler: (h) => { device = h; },
    });
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      const answers: boolean[] = [];
      request!({}, permission, (granted) => answers.push(granted));
      expect(answers).toEqual([false]);
      expect(check!({}, permission)).toBe(false);
    }
    expect(device!()).toBe(false);
  });
});
