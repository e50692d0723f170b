// Drives the updater (electron-updater's autoUpdater in the desktop app, injected; a fake in
// tests) by the current UpdateDecision, and keeps the state the UI shows. Nothing is downloaded
// before the offered version is known to be allowed (autoDownload off): a pinned app never
// fetches another version. electron-updater verifies every download against the sha512 in the
// feed's latest*.yml, and the code signature on Windows (publisher from app-update.yml) and
// macOS (Squirrel.Mac); this controller never turns those checks off.
import semver from 'semver';
import type { UpdateDecision } from './update-decision.ts';

/** The slice of electron-updater's AppUpdater this uses (structurally; no electron import). */
export interface UpdaterPort {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  allowPrerelease: boolean;
  channel: string | null;
  setFeedURL(options: { provider: 'generic'; url: string; channel?: string }): void;
  checkForUpdates(): Promise<{ readonly isUpdateAvailable?: boolean; readonly updateInfo: { readonly version: string } } | null>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

export type UpdateState = 'unavailable' | 'disabled' | 'idle' | 'checking' | 'up-to-date' | 'not-allowed' | 'downloading' | 'downloaded' | 'error';

export interface UpdateStatus {
  readonly currentVersion: string;
  readonly state: UpdateState;
  /** Why updates are off, or why an offered version is not installed. */
  readonly reason?: string;
  readonly feedUrl?: string;
  readonly channel?: string;
  readonly pin?: string;
  /** Who decided: the policy source, the user's settings, or the default. */
  readonly source?: string;
  /** The version the feed offers (available, downloading or downloaded). */
  readonly availableVersion?: string;
  readonly checkedAt?: string;
  readonly error?: string;
}

export interface UpdateControllerDeps {
  readonly currentVersion: string;
  /** Absent where the app cannot update itself (headless daemon, unpackaged app). */
  readonly updater?: UpdaterPort;
  /** Why there is no updater (shown as the state's reason). */
  readonly unavailableReason?: string;
  readonly now?: () => number;
}

export class UpdateController {
  private readonly deps: UpdateControllerDeps;
  private decision: UpdateDecision | null = null;
  private current: UpdateStatus;
  private checking: Promise<UpdateStatus> | null = null;

  constructor(deps: UpdateControllerDeps) {
    this.deps = deps;
    this.current = deps.updater
      ? { currentVersion: deps.currentVersion, state: 'disabled', reason: 'no update decision yet' }
      : { currentVersion: deps.currentVersion, state: 'unavailable', reason: deps.unavailableReason ?? 'this app cannot update itself' };
  }

  status(): UpdateStatus {
    return this.current;
  }

  /** Applies a (new) decision: configures the updater, or stops using it. Returns whether it changed. */
  apply(decision: UpdateDecision): boolean {
    if (JSON.stringify(decision) === JSON.stringify(this.decision)) return false;
    this.decision = decision;
    const updater = this.deps.updater;
    if (!updater) return true;
    const base = { currentVersion: this.deps.currentVersion, source: decision.source, ...(decision.pin ? { pin: decision.pin } : {}) };
    if (!decision.enabled) {
      this.current = { ...base, state: 'disabled', reason: decision.reason };
      return true;
    }
    updater.autoDownload = false;
    updater.autoInstallOnAppQuit = true;
    updater.allowDowngrade = decision.allowDowngrade;
    updater.allowPrerelease = decision.channel !== 'latest';
    updater.setFeedURL({ provider: 'generic', url: decision.feedUrl, channel: decision.channel });
    updater.channel = decision.channel;
    this.current = { ...base, state: 'idle', feedUrl: decision.feedUrl, channel: decision.channel };
    return true;
  }

  /** Checks the feed once (and downloads an allowed update). Off, unavailable or pinned to the running version: asks nothing. */
  check(): Promise<UpdateStatus> {
    const updater = this.deps.updater;
    const decision = this.decision;
    if (!updater || !decision?.enabled) return Promise.resolve(this.current);
    this.checking ??= this.runCheck(updater, decision).finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  /** Quits and installs a downloaded update; refused in any other state. */
  install(): void {
    if (this.current.state !== 'downloaded' || !this.deps.updater) throw new Error(`no downloaded update to install (update state: ${this.current.state})`);
    this.deps.updater.quitAndInstall(false, true);
  }

  private async runCheck(updater: UpdaterPort, decision: Extract<UpdateDecision, { enabled: true }>): Promise<UpdateStatus> {
    const base = { ...this.current, checkedAt: new Date(this.deps.now?.() ?? Date.now()).toISOString() };
    delete (base as { error?: string }).error;
    delete (base as { reason?: string }).reason;
    delete (base as { availableVersion?: string }).availableVersion;
    this.current = { ...base, state: 'checking' };
    try {
      const result = await updater.checkForUpdates();
      const offered = result?.updateInfo.version;
      const available = offered !== undefined && (result?.isUpdateAvailable ?? semver.gt(offered, this.deps.currentVersion));
      if (!offered || (!available && !(decision.pin && offered === decision.pin && offered !== this.deps.currentVersion))) {
        this.current = { ...base, state: 'up-to-date' };
        return this.current;
      }
      if (decision.pin && !semver.eq(offered, decision.pin)) {
        this.current = { ...base, state: 'not-allowed', availableVersion: offered, reason: `the feed offers ${offered}, but policy pins ${decision.pin}` };
        return this.current;
      }
      this.current = { ...base, state: 'downloading', availableVersion: offered };
      await updater.downloadUpdate();
      this.current = { ...base, state: 'downloaded', availableVersion: offered };
    } catch (error) {
      this.current = { ...base, state: 'error', error: error instanceof Error ? error.message : String(error) };
    }
    return this.current;
  }
}
