// Electron entry point: the only file that touches the real Electron objects. Everything it
// does is in DesktopApp and the factories it wires here. Started with --switchboard-cli first,
// the binary is the `switchboard` CLI instead (the runAsNode fuse is off; see cli-mode.ts).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, nativeImage, Notification, protocol, session, shell, Tray } from 'electron';
import electronUpdater from 'electron-updater';
import { APP_SCHEME } from './app-origin.ts';
import { createAppProtocolHandler } from './app-protocol.ts';
import { packagedCliArgv, runPackagedCli } from './cli-mode.ts';
import { DesktopApp } from './desktop-app.ts';
import { createNotificationPresenter } from './notification-presenter.ts';
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

const cliArgv = packagedCliArgv(process.argv, process.defaultApp === true);
if (cliArgv) {
  // No window, no tray, no dock icon: a command (or the bridge a client spawned) runs and exits.
  app.dock?.hide();
  void runPackagedCli(cliArgv, {
    loadCli: async () => ((await import(pathToFileURL(path.join(root, 'dist', 'main', 'cli.js')).href)) as { main: (argv: string[]) => Promise<number> }).main,
    exit: (code) => app.exit(code),
    stderr: process.stderr,
  });
} else {
  startDesktop();
}

function startDesktop(): void {
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

  // Only a packaged app updates itself; the daemon decides whether, from where and to what.
  const updater = app.isPackaged ? electronUpdater.autoUpdater : undefined;
  if (updater) updater.logger = { info: log, warn: log, error: (message: unknown) => log(String(message)), debug: () => {} };

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
    notifications: createNotificationPresenter(Notification, process.platform),
    ...(updater ? { updater } : {}),
    argv: process.argv,
    log,
  });

  let stopped = false;
  app.on('will-quit', (event) => {
    if (desktop.isQuitting && !stopped) {
      event.preventDefault();
      stopped = true;
      void desktop.stop().finally(() => app.quit());
    }
  });

  void desktop.start();
}
