// Token buckets in groups (one group per rate-limit rule, one bucket per client, server or tool in
// it), with a bound on how many are kept: a bucket that has refilled to full is indistinguishable
// from a new one, so idle buckets are the ones evicted. Two levels of maps, so the call path
// looks up strings it already has (the rule's label, the session's identity) instead of joining them.

export interface BucketShape {
  /** Tokens added per minute. */
  readonly perMinute: number;
  /** Bucket size. */
  readonly burst: number;
}

export interface Bucket {
  tokens: number;
  /** When `tokens` was computed (ms, the injected clock). */
  at: number;
  perMinute: number;
  burst: number;
}

export type TakeResult = { ok: true; bucket: Bucket } | { ok: false; retryAfterMs: number };

export class TokenBuckets {
  private readonly groups = new Map<string, Map<string, Bucket>>();
  private count = 0;
  private readonly now: () => number;
  private readonly maxBuckets: number;

  constructor(options: { now?: () => number; maxBuckets?: number } = {}) {
    this.now = options.now ?? (() => performance.now());
    this.maxBuckets = options.maxBuckets ?? 50_000;
  }

  get size(): number {
    return this.count;
  }

  /** The clock the buckets run on; pass its reading to check() for every bucket of one call. */
  time(): number {
    return this.now();
  }

  /** Whether one token is there now, without taking it (then take(bucket)); how long until it is when not. */
  check(group: string, key: string, shape: BucketShape, now: number = this.now()): TakeResult {
    const bucket = this.refilled(group, key, shape, now);
    if (bucket.tokens >= 1) return { ok: true, bucket };
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) * 60_000) / shape.perMinute) };
  }

  /** Takes one token from a bucket check() found one in. */
  take(bucket: Bucket): void {
    bucket.tokens -= 1;
  }

  clear(): void {
    this.groups.clear();
    this.count = 0;
  }

  private refilled(group: string, key: string, shape: BucketShape, now: number): Bucket {
    let buckets = this.groups.get(group);
    if (!buckets) {
      buckets = new Map();
      this.groups.set(group, buckets);
    }
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: shape.burst, at: now, perMinute: shape.perMinute, burst: shape.burst };
      buckets.set(key, bucket);
      if (++this.count > this.maxBuckets) this.evict(now, bucket);
      return bucket;
    }
    if (bucket.perMinute !== shape.perMinute || bucket.burst !== shape.burst) {
      // The rule's numbers changed: the new shape, keeping what was spent.
      const spent = Math.max(0, bucket.burst - level(bucket, now));
      Object.assign(bucket, { tokens: Math.max(0, shape.burst - spent), at: now, perMinute: shape.perMinute, burst: shape.burst });
      return bucket;
    }
    bucket.tokens = level(bucket, now);
    bucket.at = now;
    return bucket;
  }

  /**
   * Drops every full (idle) bucket; if that leaves more than three quarters, the oldest down to
   * half (so each sweep frees a quarter at least and the cost per call stays constant). `keep` is
   * the bucket being created.
   */
  private evict(now: number, keep: Bucket): void {
    for (const [group, buckets] of this.groups) {
      for (const [key, bucket] of buckets) {
        if (bucket !== keep && level(bucket, now) >= bucket.burst) {
          buckets.delete(key);
          this.count--;
        }
      }
      if (buckets.size === 0) this.groups.delete(group);
    }
    if (this.count <= Math.floor(this.maxBuckets * 0.75)) return;
    let drop = this.count - Math.floor(this.maxBuckets / 2);
    for (const buckets of this.groups.values()) {
      for (const [key, bucket] of buckets) {
        if (drop <= 0) return;
        if (bucket === keep) continue;
        buckets.delete(key);
        this.count--;
        drop--;
      }
    }
  }
}

function level(bucket: Bucket, now: number): number {
  return Math.min(bucket.burst, bucket.tokens + ((now - bucket.at) * bucket.perMinute) / 60_000);
}
