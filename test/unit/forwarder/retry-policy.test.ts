import { describe, expect, it } from 'vitest';
import { classifyStatus, fullJitterDelay, parseRetryAfter } from '../../../main/forwarder/retry-policy.ts';

describe('retry policy', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('draws full-jitter delays within the exponential bound and the cap', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect(fullJitterDelay(0, options, () => 0.999)).toBeLessThan(100);
    expect(fullJitterDelay(3, options, () => 0.5)).toBe(400);
    expect(fullJitterDelay(20, options, () => 0.999)).toBeLessThan(1000);
    expect(fullJitterDelay(5, options, () => 0)).toBe(0);
  });

  it('retries 408, 429 and 5xx, waits out auth errors, refuses other 4xx for good', () => {
    expect([200, 204].map(classifyStatus)).toEqual(['success', 'success']);
    expect([408, 429, 500, 502, 503].map(classifyStatus)).toEqual(['retry', 'retry', 'retry', 'retry', 'retry']);
    expect([401, 403].map(classifyStatus)).toEqual(['auth', 'auth']);
    expect([400, 404, 413, 422].map(classifyStatus)).toEqual(['permanent', 'permanent', 'permanent', 'permanent']);
  });
});
