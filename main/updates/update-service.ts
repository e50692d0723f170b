// The daemon's side of self-update: decides from config.json's settings.updates and the policy's
// `updates` setting each time either changes, applies the decision to the controller, checks the
// feed at start and every few hours while updates are on, and answers the updates API.
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { updatesContract } from '../../shared/api/updates.ts';
import { UpdateController, type UpdaterPort } from './update-controller.ts';
import { decideUpdates, type UpdateInputs } from './update-decision.ts';

const CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

export interface UpdateServiceDeps {
  readonly currentVersion: string;
  readonly updater?: UpdaterPort;
  /** The user's settings and the policy's setting, read fresh each time. */
  readonly inputs: () => Omit<UpdateInputs, 'currentVersion'>;
  readonly intervalMs?: number;
  readonly log?: (message: string) => void;
}

export class UpdateService {
  readonly controller: UpdateController;
  private readonly deps: UpdateServiceDeps;
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: UpdateServiceDeps) {
    this.deps = deps;
    this.controller = new UpdateController({
      currentVersion: deps.currentVersion,
      ...(deps.updater ? { updater: deps.updater } : {}),
      unavailableReason: 'the headless daemon does not update itself: update it with the package it was installed from',
    });
  }

  start(): void {
    this.refresh();
    this.timer = setInterval(() => void this.check(), this.deps.intervalMs ?? CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Settings or policy changed: decide again, and check at once when that turned updates on or moved the feed. */
  refresh(): void {
    const decision = decideUpdates({ currentVersion: this.deps.currentVersion, ...this.deps.inputs() });
    if (!this.controller.apply(decision)) return;
    this.deps.log?.(decision.enabled ? `updates: checking ${decision.feedUrl} (${decision.channel}${decision.pin ? `, pinned to ${decision.pin}` : ''})` : `updates: off (${decision.reason})`);
    if (decision.enabled) void this.check();
  }

  private async check(): Promise<void> {
    const status = await this.controller.check();
    if (status.state === 'error') this.deps.log?.(`updates: check failed: ${status.error}`);
  }

  handlers(): Handlers<typeof updatesContract> {
    return {
      'updates.status': async () => this.controller.status(),
      'updates.check': async () => this.controller.check(),
      'updates.install': async () => {
        try {
          this.controller.install();
        } catch (error) {
          throw new ApiError({ code: 'conflict', message: (error as Error).message });
        }
        return { installing: true as const };
      },
    };
  }
}
