import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../../main/guardrails/rate-limit-bucket.ts';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

const takeIfOk = (buckets: TokenBuckets, key: string, shape: { perMinute: number; burst: number }) => {
  const result = buckets.check('rule', key, shape);
  if (!result.ok) return result;
  buckets.take(result.bucket);
  return { ok: true };
};

describe('token buckets', () => {
  const shape = { perMinute: 60, burst: 4 };

  it('lets a burst through, then refuses with the time until the next token', () => {
    const time = clock();
    const buckets = new TokenBuckets({ now: time.now });
    for (let i = 0; i < 4; i++) expect(takeIfOk(buckets, 'a', shape)).toEqual({ ok: true });
    expect(takeIfOk(buckets, 'a', shape)).toEqual({ ok: false, retryAfterMs: 1000 });
    time.advance(400);
    expect(takeIfOk(buckets, 'a', shape)).toEqual({ ok: false, retryAfterMs: 600 });
    time.advance(600);
    expect(takeIfOk(buckets, 'a', shape)).toEqual({ ok: true });
    expect(takeIfOk(buckets, 'a', shape).ok).toBe(false);
  });

  it('refills to the burst and no further', () => {
    const time = clock();
    const buckets = new TokenBuckets({ now: time.now });
    for (let i = 0; i < 4; i++) takeIfOk(buckets, 'a', shape);
    time.advance(3_600_000);
    for (let i = 0; i < 4; i++) expect(takeIfOk(buckets, 'a', shape).ok).toBe(true);
    expect(takeIfOk(buckets, 'a', shape).ok).toBe(false);
  });

  it('keeps keys apart, and a check alone takes nothing', () => {
    const buckets = new TokenBuckets({ now: clock().now });
    for (let i = 0; i < 10; i++) expect(buckets.check('rule', 'a', shape).ok).toBe(true);
    for (let i = 0; i < 4; i++) takeIfOk(buckets, 'a', shape);
    expect(takeIfOk(buckets, 'a', shape).ok).toBe(false);
    expect(takeIfOk(buckets, 'b', shape).ok).toBe(true);
  });

  it('keeps memory bounded: idle (full) buckets are evicted first, busy ones kept', () => {
    const time = clock();
    const buckets = new TokenBuckets({ now: time.now, maxBuckets: 100 });
    const slow = { perMinute: 0.001, burst: 4 };
    for (let i = 0; i < 99; i++) takeIfOk(buckets, `idle-${i}`, shape);
    time.advance(60_000); // the idle ones are full again
    for (let i = 0; i < 4; i++) takeIfOk(buckets, 'busy', slow);
    for (let i = 0; i < 50; i++) takeIfOk(buckets, `later-${i}`, shape);
    expect(buckets.size).toBe(51);
    expect(takeIfOk(buckets, 'busy', slow).ok).toBe(false);
    for (let i = 0; i < 1000; i++) takeIfOk(buckets, `more-${i}`, shape);
    expect(buckets.size).toBeLessThanOrEqual(100);
  });

  it('a changed rule keeps what was spent', () => {
    const buckets = new TokenBuckets({ now: clock().now });
    for (let i = 0; i < 3; i++) takeIfOk(buckets, 'a', shape);
    const wider = { perMinute: 60, burst: 5 };
    expect(takeIfOk(buckets, 'a', wider).ok).toBe(true);
    expect(takeIfOk(buckets, 'a', wider).ok).toBe(true);
    expect(takeIfOk(buckets, 'a', wider).ok).toBe(false);
  });
});
