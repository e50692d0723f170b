// The circuit breaker of one server: closed → (N consecutive failures, the first at most `window`
// old) → open for the cool-down → half-open: one probe call goes through, the others fail fast;
// the probe's success closes it, its failure opens it again. Time comes from an injected clock.

export type BreakerStateName = 'closed' | 'open' | 'half-open';

export interface BreakerLimits {
  readonly failures: number;
  readonly windowMs: number;
  readonly coolDownMs: number;
}

/** What the breaker says about a call that wants to go through. */
export type Admission =
  | { readonly pass: true; readonly probe: boolean }
  | { readonly pass: false; readonly retryAfterMs: number };

export interface BreakerSnapshot {
  readonly state: BreakerStateName;
  /** Wall-clock ms of the last state change. */
  readonly since: number;
  /** Consecutive failures counted now (closed), or that opened it. */
  readonly failures: number;
}

export class Breaker {
  private state: BreakerStateName = 'closed';
  private streak = 0;
  private streakStart = 0;
  private openedAt = 0;
  private since: number;
  private probing = false;
  private readonly clock: () => number;
  private readonly wallClock: () => number;
  private readonly onChange: (snapshot: BreakerSnapshot) => void;

  constructor(options: { clock: () => number; wallClock: () => number; onChange?: (snapshot: BreakerSnapshot) => void }) {
    this.clock = options.clock;
    this.wallClock = options.wallClock;
    this.since = options.wallClock();
    this.onChange = options.onChange ?? (() => undefined);
  }

  snapshot(limits: BreakerLimits): BreakerSnapshot {
    // An open breaker whose cool-down is over is half-open, whether or not a call came since.
    const state = this.state === 'open' && this.clock() - this.openedAt >= limits.coolDownMs ? 'half-open' : this.state;
    return { state, since: this.since, failures: this.streak };
  }

  admit(limits: BreakerLimits): Admission {
    if (this.state === 'closed') return { pass: true, probe: false };
    if (this.state === 'open') {
      const waited = this.clock() - this.openedAt;
      if (waited < limits.coolDownMs) return { pass: false, retryAfterMs: limits.coolDownMs - waited };
      this.move('half-open');
    }
    if (this.probing) return { pass: false, retryAfterMs: limits.coolDownMs };
    this.probing = true;
    return { pass: true, probe: true };
  }

  /** The outcome of a call admit() let through. */
  succeeded(probe: boolean): void {
    if (probe) this.probing = false;
    this.streak = 0;
    if (this.state !== 'closed') this.move('closed');
  }

  failed(probe: boolean, limits: BreakerLimits): void {
    const now = this.clock();
    if (probe) {
      this.probing = false;
      this.open(now);
      return;
    }
    if (this.state !== 'closed') return; // a call let through before it opened
    if (this.streak === 0 || now - this.streakStart > limits.windowMs) {
      this.streak = 0;
      this.streakStart = now;
    }
    this.streak++;
    if (this.streak >= limits.failures) this.open(now);
  }

  /** A probe that ended without an outcome (cancelled): the next call may probe instead. */
  released(probe: boolean): void {
    if (probe) this.probing = false;
  }

  private open(now: number): void {
    this.openedAt = now;
    this.move('open');
  }

  private move(state: BreakerStateName): void {
    this.state = state;
    this.since = this.wallClock();
    if (state === 'closed') this.streak = 0;
    this.onChange({ state, since: this.since, failures: this.streak });
  }
}
