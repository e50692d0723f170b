// Whether and how the desktop app updates itself, from the user's settings.updates and what a
// managed or org policy says (policy `updates`, lockable). The rules:
// - no feed URL (neither in policy nor in settings) means no update checks at all;
// - a policy's `enabled: false` turns updates off whatever the settings say;
// - a policy's feedUrl and channel win over the user's; when `updates` is locked, the user's are
//   ignored (a lock without a feed therefore means no updates);
// - a pin is the one version the app may run: equal to the running version, no checks; otherwise
//   only that version is installed (a lower pin is a downgrade).
import semver from 'semver';
import { UpdatePolicySchema } from '../../shared/policy.ts';

export type UpdateChannel = 'latest' | 'beta' | 'alpha';
export type DecisionSource = 'managed' | 'org' | 'user' | 'default';

export interface UpdateInputs {
  readonly currentVersion: string;
  /** settings.updates from config.json. */
  readonly user?: { readonly feedUrl?: string | undefined; readonly channel?: UpdateChannel | undefined } | undefined;
  /** The effective policy setting `updates` (first of managed, org), with its source and lock. */
  readonly policy?: { readonly value?: unknown; readonly source: DecisionSource; readonly locked: boolean } | undefined;
}

export type UpdateDecision =
  | { readonly enabled: false; readonly reason: string; readonly source: DecisionSource; readonly pin?: string }
  | {
    readonly enabled: true;
    readonly feedUrl: string;
    readonly channel: UpdateChannel;
    /** Install only this version. */
    readonly pin?: string;
    /** The pin is below the running version: the updater must accept an older one. */
    readonly allowDowngrade: boolean;
    /** Who named the feed. */
    readonly source: DecisionSource;
  };

export function decideUpdates(inputs: UpdateInputs): UpdateDecision {
  // Validated when the policy loaded; parsed again only to type it.
  const policy = inputs.policy?.value === undefined ? undefined : UpdatePolicySchema.parse(inputs.policy.value);
  const policySource = inputs.policy?.source ?? 'default';
  const locked = inputs.policy?.locked ?? false;
  const user = locked ? undefined : inputs.user;

  if (policy?.enabled === false) return { enabled: false, reason: `updates are turned off by ${policySource} policy`, source: policySource };
  const feedUrl = policy?.feedUrl ?? user?.feedUrl;
  if (!feedUrl) {
    return locked
      ? { enabled: false, reason: `updates are locked by ${policySource === 'default' ? 'a' : policySource} policy that names no update feed`, source: policySource }
      : { enabled: false, reason: 'no update feed is configured (settings.updates.feedUrl), so the app never checks for updates', source: 'default' };
  }
  const source: DecisionSource = policy?.feedUrl ? policySource : 'user';
  const channel = policy?.channel ?? user?.channel ?? 'latest';
  const pin = policy?.pin;
  if (pin !== undefined) {
    if (semver.eq(pin, inputs.currentVersion)) {
      return { enabled: false, reason: `${policySource} policy pins version ${pin}, the version running`, source: policySource, pin };
    }
    return { enabled: true, feedUrl, channel, pin, allowDowngrade: semver.lt(pin, inputs.currentVersion), source };
  }
  return { enabled: true, feedUrl, channel, allowDowngrade: false, source };
}
