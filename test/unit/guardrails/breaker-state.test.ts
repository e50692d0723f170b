import { describe, expect, it } from 'vitest';
import { Breaker, type BreakerSnapshot } from '../../../main/guardrails/breaker-state.ts';

const limits = { failures: 3, windowMs: 10_000, coolDownMs: 5_000 };

function breaker() {
  let now = 0;
  const changes: BreakerSnapshot['state'][] = [];
  const b = new Breaker({ clock: () => now, wallClock: () => 1_000_000 + now, onChange: (s) => changes.push(s.state) });
  return { b, changes, advance: (ms: number) => { now += ms; } };
}

function failTimes(b: Breaker, n: number) {
  for (let i = 0; i < n; i++) {
    const admission = b.admit(limits);
    expect(admission.pass).toBe(true);
    b.failed(admission.pass && admission.probe, limits);
  }
}

describe('breaker state machine', () => {
  it('opens after N consecutive failures and fails fast with the time left of the cool-down', () => {
    const { b, changes, advance } = breaker();
    failTimes(b, 2);
    expect(b.snapshot(limits)).toMatchObject({ state: 'closed', failures: 2 });
    failTimes(b, 1);
    expect(b.snapshot(limits)).toMatchObject({ state: 'open', failures: 3, since: 1_000_000 });
    advance(2_000);
    expect(b.admit(limits)).toEqual({ pass: false, retryAfterMs: 3_000 });
    expect(changes).toEqual(['open']);
  });

  it('a success resets the count; failures further apart than the window do not add up', () => {
    const { b, advance } = breaker();
    failTimes(b, 2);
    b.succeeded(false);
    failTimes(b, 2);
    expect(b.snapshot(limits).state).toBe('closed');
    advance(11_000);
    failTimes(b, 1);
    expect(b.snapshot(limits)).toMatchObject({ state: 'closed', failures: 1 });
  });

  it('after the cool-down lets one probe through; others fail fast meanwhile; its success closes', () => {
    const { b, changes, advance } = breaker();
    failTimes(b, 3);
    advance(5_000);
    expect(b.snapshot(limits).state).toBe('half-open');
    const probe = b.admit(limits);
    expect(probe).toEqual({ pass: true, probe: true });
    expect(b.admit(limits).pass).toBe(false);
    b.succeeded(true);
    expect(b.snapshot(limits)).toMatchObject({ state: 'closed', failures: 0 });
    expect(b.admit(limits)).toEqual({ pass: true, probe: false });
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe opens it again for a whole cool-down', () => {
    const { b, changes, advance } = breaker();
    failTimes(b, 3);
    advance(6_000);
    const probe = b.admit(limits);
    b.failed(probe.pass && probe.probe, limits);
    expect(b.snapshot(limits).state).toBe('open');
    expect(b.admit(limits)).toEqual({ pass: false, retryAfterMs: 5_000 });
    expect(changes).toEqual(['open', 'half-open', 'open']);
  });

  it('a probe that ended without an outcome (cancelled) lets the next call probe', () => {
    const { b, advance } = breaker();
    failTimes(b, 3);
    advance(5_000);
    b.released(true && (b.admit(limits) as { probe: boolean }).probe);
    expect(b.admit(limits)).toEqual({ pass: true, probe: true });
  });

  it('late failures of calls let through before it opened do not extend the open state', () => {
    const { b, advance } = breaker();
    const early = [b.admit(limits), b.admit(limits), b.admit(limits), b.admit(limits)];
    for (let i = 0; i < 3; i++) b.failed(false, limits);
    advance(4_000);
    b.failed(early[3]!.pass && (early[3] as { probe: boolean }).probe, limits);
    advance(1_000);
    expect(b.admit(limits)).toEqual({ pass: true, probe: true });
  });
});
