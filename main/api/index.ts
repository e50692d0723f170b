// Handlers of the app contract: what the daemon is, and start-at-login (an OS setting only the
// desktop shell can change). The composition root merges them with every domain's handlers
// into one object typed against the whole contract, so a missing handler is a type error.
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { appContract } from '../../shared/api/contract.ts';

/** Start-at-login is an OS setting only the desktop shell can change. */
export interface LoginItemControl {
  get(): boolean;
  set(enabled: boolean): void | Promise<void>;
  /** The policy source that decides it, when a policy does (the UI then shows it read-only). */
  lockedBy?(): string | undefined;
}

export interface AppServices {
  readonly version: string;
  readonly dataDir: string;
  readonly mode: 'desktop' | 'headless';
  readonly loginItem?: LoginItemControl;
}

export function createAppHandlers(services: AppServices, servedMethods: () => string[]): Handlers<typeof appContract> {
  return {
    'app.info': async () => ({
      version: services.version,
      dataDir: services.dataDir,
      mode: services.mode,
      methods: servedMethods(),
      ...(services.loginItem ? { startAtLogin: services.loginItem.get(), ...(services.loginItem.lockedBy?.() ? { startAtLoginLockedBy: services.loginItem.lockedBy()! } : {}) } : {}),
    }),
    'app.setStartAtLogin': async ({ enabled }) => {
      if (!services.loginItem) throw new ApiError({ code: 'unavailable', message: 'start at login is only available in the desktop app' });
      await services.loginItem.set(enabled);
      return { enabled: services.loginItem.get() };
    },
  };
}
