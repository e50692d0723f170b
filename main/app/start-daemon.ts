// Starts the daemon inside the Electron main process. main/switchboard.ts is loaded at run time
// and exports `startDesktopDaemon(options): Promise<InProcessDaemon>`: the same composition as
// `switchboard serve`, with its API dispatcher (mode 'desktop', the given loginItem) and events.
import type { InProcessDaemon, StartDaemonOptions } from './desktop-app.ts';

type DaemonModule = { startDesktopDaemon?: (options: StartDaemonOptions) => Promise<InProcessDaemon> };

export async function startDaemon(options: StartDaemonOptions): Promise<InProcessDaemon> {
  // Resolved at run time: .ts when Node runs the sources, .js in the packaged app.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const module = (await import(new URL(`../switchboard${extension}`, import.meta.url).href)) as DaemonModule;
  if (typeof module.startDesktopDaemon !== 'function') throw new Error('main/switchboard does not export startDesktopDaemon(options)');
  return module.startDesktopDaemon(options);
}
