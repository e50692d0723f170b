// Builds the daemon's API: every domain's handlers merged into one object for the merged
// contract, and the dispatcher that IPC, /api and the CLI share. A domain whose services are
// not given (or not built yet) contributes no handlers: its methods answer not_found and the
// UI shows them as not available.
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import { apiContract, appContract, type ApiContract } from '../../shared/api/contract.ts';
import { ApiDispatcher } from './dispatcher.ts';

/** Start-at-login is an OS setting only the desktop shell can change. */
export interface LoginItemControl {
  get(): boolean;
  set(enabled: boolean): void | Promise<void>;
  /** The policy source that decides it, when a policy does (the UI then shows it read-only). */
  lockedBy?(): string | undefined;
}

export interface ApiServices {
  readonly version: string;
  readonly dataDir: string;
  readonly mode: 'desktop' | 'headless';
  readonly loginItem?: LoginItemControl;
  /**
   * Handlers built by the domains' create*Handlers(deps), already bound to their services, e.g.
   * `[createServersHandlers(deps), createAuditHandlers(deps)]`. Later entries win on a clash.
   */
  readonly domainHandlers?: ReadonlyArray<Partial<Handlers<ApiContract>> | Record<string, unknown>>;
}

export function createAppHandlers(services: ApiServices, servedMethods: () => string[]): Handlers<typeof appContract> {
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

export function createApiHandlers(services: ApiServices): Partial<Handlers<ApiContract>> {
  const merged: Record<string, unknown> = {};
  for (const handlers of services.domainHandlers ?? []) {
    for (const [name, handler] of Object.entries(handlers)) {
      if (Object.hasOwn(apiContract, name) && typeof handler === 'function') merged[name] = handler;
    }
  }
  const served = (): string[] => Object.keys(merged).sort();
  Object.assign(merged, createAppHandlers(services, served));
  return merged as Partial<Handlers<ApiContract>>;
}

export function createApiDispatcher(services: ApiServices): ApiDispatcher<ApiContract> {
  return new ApiDispatcher(apiContract, createApiHandlers(services));
}
