// settings.startAtLogin is the one source of truth for starting the app at login: the UI (via
// app.setStartAtLogin), the CLI (`switchboard service …`) and a managed or org policy all go
// through it, and the OS login item (desktop) only ever mirrors the effective value. A policy's
// startAtLogin wins over the user's; a lock without a value pins the default (off).
import { ApiError } from '../../shared/api/define.ts';

export type StartAtLoginSource = 'managed' | 'org' | 'user' | 'default';

/** The OS side: Electron's app.get/setLoginItemSettings in the desktop app. */
export interface LoginItemPort {
  get(): boolean;
  set(enabled: boolean): void | Promise<void>;
}

export interface StartAtLoginDeps {
  /** settings.startAtLogin as config.json holds it now. */
  readonly readSetting: () => boolean;
  /** Saves settings.startAtLogin in config.json. */
  readonly writeSetting: (enabled: boolean) => Promise<void>;
  /** The policy's effective `startAtLogin` setting (PolicyEngine.setting). */
  readonly policy: () => { readonly value?: unknown; readonly source: StartAtLoginSource; readonly locked: boolean } | undefined;
  /** Absent in the headless daemon: nothing to mirror. */
  readonly os?: LoginItemPort;
  readonly log?: (message: string) => void;
}

export interface EffectiveStartAtLogin {
  readonly enabled: boolean;
  readonly source: StartAtLoginSource;
  readonly locked: boolean;
}

export function effectiveStartAtLogin(userSetting: boolean, policy: ReturnType<StartAtLoginDeps['policy']>): EffectiveStartAtLogin {
  if (typeof policy?.value === 'boolean') return { enabled: policy.value, source: policy.source, locked: true };
  if (policy?.locked) return { enabled: false, source: policy.source === 'user' ? 'default' : policy.source, locked: true };
  return { enabled: userSetting, source: 'user', locked: false };
}

export class StartAtLogin {
  private readonly deps: StartAtLoginDeps;

  constructor(deps: StartAtLoginDeps) {
    this.deps = deps;
  }

  effective(): EffectiveStartAtLogin {
    return effectiveStartAtLogin(this.deps.readSetting(), this.deps.policy());
  }

  /** The user's choice: saved in settings, then mirrored to the OS. Refused when a policy decides. */
  async set(enabled: boolean): Promise<EffectiveStartAtLogin> {
    const current = this.effective();
    if (current.locked && current.enabled !== enabled) {
      throw new ApiError({ code: 'forbidden', message: `start at login is ${current.enabled ? 'on' : 'off'} by ${current.source === 'default' ? 'a' : current.source} policy; it cannot be changed here` });
    }
    if (this.deps.readSetting() !== enabled) await this.deps.writeSetting(enabled);
    await this.apply();
    return this.effective();
  }

  /** Makes the OS login item match the effective value (at start, and when settings or policy change). */
  async apply(): Promise<void> {
    const os = this.deps.os;
    if (!os) return;
    const { enabled, source } = this.effective();
    try {
      if (os.get() !== enabled) {
        await os.set(enabled);
        this.deps.log?.(`start at login ${enabled ? 'on' : 'off'} (from ${source === 'user' ? 'settings.startAtLogin' : `${source} policy`})`);
      }
    } catch (error) {
      this.deps.log?.(`could not change the OS login item: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** What app.info / app.setStartAtLogin use. */
  control(): { get(): boolean; set(enabled: boolean): Promise<void>; lockedBy(): string | undefined } {
    return {
      get: () => this.effective().enabled,
      set: async (enabled) => {
        await this.set(enabled);
      },
      lockedBy: () => {
        const effective = this.effective();
        return effective.locked ? effective.source : undefined;
      },
    };
  }
}
