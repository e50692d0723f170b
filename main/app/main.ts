// Electron entry point: the only file that touches the real Electron objects. Everything it
// does is in DesktopApp and the factories it wires here.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, nativeImage, protocol, session, shell, Tray } from 'electron';
import { APP_SCHEME } from './app-origin.ts';
import { createAppProtocolHandler } from './app-protocol.ts';
import { DesktopApp } from './desktop-app.ts';
import { useLoginShellPath } from '../servers/login-shell-env.ts';
import { denyAllPermissions } from './session-hardening.ts';
import { startDaemon } from './start-daemon.ts';
import type { TrayView } from './tray-status.ts';
import { WindowFactory } from './window-factory.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
// dist/main/app/main.js → repo or asar root
const root = path.resolve(here, '..', '..', '..');
const rendererRoot = path.join(root, 'dist', 'renderer');
const preloadPath = path.join(root, 'dist', 'preload', 'index.cjs');
// macOS menu bar icons are template images (black + alpha, tinted by the OS).
const iconPath = path.join(root, 'resources', 'icons', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png');
const log = (message: string): void => {
  process.stderr.write(`[switchboard] ${message}\n`);
};

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// No <webview>, ever; and no window of any kind opened outside the factory.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

let tray: Tray | null = null;
function renderTray(view: TrayView, onSelect: (id: TrayView['menu'][number]['id']) => void): void {
  tray ??= new Tray(nativeImage.createFromPath(iconPath));
  tray.setToolTip(view.tooltip);
  if (process.platform === 'darwin') tray.setTitle(view.title);
  tray.setContextMenu(Menu.buildFromTemplate(view.menu.map((item) => ({ label: item.label, enabled: item.enabled, click: () => onSelect(item.id) }))));
}

const windows = new WindowFactory({
  BrowserWindow,
  preloadPath,
  openExternal: (url) => shell.openExternal(url),
  log,
});

const desktop = new DesktopApp({
  app,
  ipcMain,
  windows,
  // Servers need the user's PATH (nvm, Homebrew…), which a Finder or Dock launch does not give.
  startDaemon: async (options) => {
    await useLoginShellPath({ log });
    return startDaemon(options);
  },
  renderTray,
  prepareSession: () => {
    protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererRoot));
    denyAllPermissions(session.defaultSession, log);
  },
  argv: process.argv,
  log,
});

app.on('will-quit', (event) => {
  if (desktop.isQuitting && !stopped) {
    event.preventDefault();
    stopped = true;
    void desktop.stop().finally(() => app.quit());
  }
});
let stopped = false;

void desktop.start();
