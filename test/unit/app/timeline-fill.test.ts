// The Activity chart's buckets: audit.timeline returns only buckets with calls; the chart fills
// the rest of the range with zeros so one call still draws a line, at the right place.
import { describe, expect, it } from 'vitest';
import { fillTimeline } from '../../../renderer/components/timeline.ts';

const MIN = 60_000;

describe('fillTimeline', () => {
  it('puts every bucket of the range in order, the returned ones where they belong', () => {
    const since = 10 * MIN + 30_000;
    const filled = fillTimeline([{ start: 12 * MIN, count: 3, errors: 1, denied: 0 }], since, 14 * MIN + 5_000, MIN);
    expect(filled.map((b) => b.start)).toEqual([10 * MIN, 11 * MIN, 12 * MIN, 13 * MIN, 14 * MIN]);
    expect(filled[2]).toEqual({ start: 12 * MIN, count: 3, errors: 1, denied: 0 });
    expect(filled.filter((b) => b.start !== 12 * MIN).every((b) => b.count === 0 && b.errors === 0 && b.denied === 0)).toBe(true);
  });

  it('keeps a bucket that falls outside the range instead of dropping its calls', () => {
    const filled = fillTimeline([{ start: 20 * MIN, count: 1, errors: 0, denied: 1 }], 10 * MIN, 11 * MIN, MIN);
    expect(filled.map((b) => [b.start, b.count])).toEqual([[10 * MIN, 0], [11 * MIN, 0], [20 * MIN, 1]]);
  });
});
