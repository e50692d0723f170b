// The calls-over-time chart needs a point for every bucket of the range, but audit.timeline
// returns only buckets that hold calls (a single call would otherwise draw no line at all).
import type { AuditTimelineBucket } from '../../shared/audit.ts';

/** Buckets from the one holding `since` to the one holding `until`, empty ones as zeros. */
export function fillTimeline(buckets: readonly AuditTimelineBucket[], since: number, until: number, bucketMs: number): AuditTimelineBucket[] {
  const byStart = new Map(buckets.map((b) => [b.start, b]));
  const filled: AuditTimelineBucket[] = [];
  for (let start = Math.floor(since / bucketMs) * bucketMs; start <= until; start += bucketMs) {
    filled.push(byStart.get(start) ?? { start, count: 0, errors: 0, denied: 0 });
    byStart.delete(start);
  }
  // Buckets outside the range (a clock change, an `until` in the past) are kept, in order.
  return byStart.size === 0 ? filled : [...filled, ...byStart.values()].sort((a, b) => a.start - b.start);
}
