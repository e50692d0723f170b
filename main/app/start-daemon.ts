// Starts the daemon inside the Electron main process. main/daemon.ts (owned by the daemon) is
// loaded at run time and must export `startDesktopDaemon(options): Promise<InProcessDaemon>`:
// the same daemon as `switchboard serve`, plus its API dispatcher (built with
// main/api/index.ts, mode 'desktop', the given loginItem) and its EventHub.
import type { InProcessDaemon, StartDaemonOptions } from './desktop-app.ts';

type DaemonModule = { startDesktopDaemon?: (options: StartDaemonOptions) => Promise<InProcessDaemon> };

export async function startDaemon(options: StartDaemonOptions): Promise<InProcessDaemon> {
  // Resolved at run time: .ts when Node runs the sources, .js in the packaged app.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const module = (await import(new URL(`../daemon${extension}`, import.meta.url).href)) as DaemonModule;
  if (typeof module.startDesktopDaemon !== 'function') throw new Error('main/daemon does not export startDesktopDaemon(options)');
  return module.startDesktopDaemon(options);
}
