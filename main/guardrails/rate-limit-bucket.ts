// Token buckets keyed by name, with a bound on how many are kept: a bucket that has refilled to
// full is indistinguishable from a new one, so idle buckets are the ones evicted.

export interface BucketShape {
  /** Tokens added per minute. */
  readonly perMinute: number;
  /** Bucket size. */
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was computed (ms, the injected clock). */
  at: number;
  perMinute: number;
  burst: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxBuckets: number;

  constructor(options: { now?: () => number; maxBuckets?: number } = {}) {
    this.now = options.now ?? (() => performance.now());
    this.maxBuckets = options.maxBuckets ?? 50_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Whether one token is there now, without taking it; how long until it is when not. */
  check(key: string, shape: BucketShape): TakeResult {
    const bucket = this.refilled(key, shape, this.now());
    if (bucket.tokens >= 1) return { ok: true };
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) * 60_000) / shape.perMinute) };
  }

  /** Takes one token (call after check() said ok for every bucket a call counts in). */
  take(key: string, shape: BucketShape): void {
    const now = this.now();
    const bucket = this.refilled(key, shape, now);
    bucket.tokens -= 1;
    // Most recently used last: eviction walks from the front.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxBuckets) this.evict(now);
  }

  clear(): void {
    this.buckets.clear();
  }

  private refilled(key: string, shape: BucketShape, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.perMinute !== shape.perMinute || bucket.burst !== shape.burst) {
      // A new bucket, or the rule's numbers changed: start full at the new shape, keeping what was spent.
      const spent = bucket ? Math.max(0, bucket.burst - this.level(bucket, now)) : 0;
      bucket = { tokens: Math.max(0, shape.burst - spent), at: now, perMinute: shape.perMinute, burst: shape.burst };
      if (!this.buckets.has(key)) return bucket;
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = this.level(bucket, now);
    bucket.at = now;
    return bucket;
  }

  private level(bucket: Bucket, now: number): number {
    return Math.min(bucket.burst, bucket.tokens + ((now - bucket.at) * bucket.perMinute) / 60_000);
  }

  /** Drops every full (idle) bucket; if none is full, the least recently used half. */
  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.level(bucket, now) >= bucket.burst) this.buckets.delete(key);
    }
    if (this.buckets.size <= this.maxBuckets) return;
    let drop = this.buckets.size - Math.floor(this.maxBuckets / 2);
    for (const key of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(key);
    }
  }
}
