// A fixed latency histogram for the audit rollups (audit-rollups.ts): 128 bins whose edges are the
// "round" durations 1, 1.1, 1.2, 1.3, 1.5, 1.7, 2, 2.2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9 times a
// power of ten, from 0.1 ms to 1,000,000 ms. Bin 0 holds [0, 0.1], bin k holds (edge[k-1], edge[k]],
// the last bin everything above 1,000,000 ms.
//
// Error bounds (stated in the README section and checked by test/unit/audit/audit-rollups.test.ts):
// - a percentile is the nearest-rank bin's geometric midpoint, clamped to the group's exact min
//   and max: within 9.6% of the exact nearest-rank value (consecutive edges are at most 1.2 apart,
//   sqrt(1.2) = 1.0954), or 0.05 ms in bin 0; above 1,000,000 ms it is the group's max;
// - "calls slower than t" is exact when t is an edge (500, 1000, 2500 ms…: bins are closed above),
//   otherwise the one bin holding t is split linearly, so the error is at most that bin's count.
const MANTISSAS = [1, 1.1, 1.2, 1.3, 1.5, 1.7, 2, 2.2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9];

function edges(): number[] {
  const out: number[] = [];
  for (let exponent = -1; exponent <= 5; exponent++) {
    for (const m of MANTISSAS) out.push(Number((m * 10 ** exponent).toPrecision(6)));
  }
  out.push(1_000_000);
  return out;
}

/** Upper edges of bins 0…126 (bin 127 is open above). */
export const LATENCY_EDGES: readonly number[] = edges();
export const LATENCY_BINS = LATENCY_EDGES.length + 1;
/** The largest relative error of a percentile read from the bins (see the header). */
export const PERCENTILE_RELATIVE_ERROR = Math.sqrt(1.2) - 1;

/** The bin of a duration in ms. */
export function binOf(durationMs: number): number {
  let lo = 0;
  let hi = LATENCY_EDGES.length; // first edge >= duration
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (LATENCY_EDGES[mid]! >= durationMs) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The same as binOf, as an SQL expression over `expr` (a binary search of CASEs, 7 comparisons). */
export function binSql(expr: string): string {
  const build = (lo: number, hi: number): string => {
    if (lo === hi) return String(lo);
    const mid = (lo + hi) >> 1;
    return `CASE WHEN ${expr} <= ${LATENCY_EDGES[mid]} THEN ${build(lo, mid)} ELSE ${build(mid + 1, hi)} END`;
  };
  return build(0, LATENCY_EDGES.length);
}

/** The latencies of one group: how many, their exact min and max, and the bin counts. */
export interface LatencySummary {
  n: number;
  min: number | null;
  max: number | null;
  readonly bins: number[];
}

export function emptySummary(): LatencySummary {
  return { n: 0, min: null, max: null, bins: new Array<number>(LATENCY_BINS).fill(0) };
}

export function addDuration(summary: LatencySummary, durationMs: number): void {
  summary.n++;
  summary.bins[binOf(durationMs)]!++;
  summary.min = summary.min === null ? durationMs : Math.min(summary.min, durationMs);
  summary.max = summary.max === null ? durationMs : Math.max(summary.max, durationMs);
}

export function addSummary(into: LatencySummary, other: { n: number; min: number | null; max: number | null; bins: ArrayLike<number> }): void {
  into.n += other.n;
  for (let i = 0; i < LATENCY_BINS; i++) into.bins[i]! += other.bins[i] ?? 0;
  if (other.min !== null) into.min = into.min === null ? other.min : Math.min(into.min, other.min);
  if (other.max !== null) into.max = into.max === null ? other.max : Math.max(into.max, other.max);
}

/** The nearest-rank percentile (as AuditQueries computes it from rows), approximated from the bins. */
export function percentileOf(summary: LatencySummary, p: number): number | null {
  if (summary.n === 0 || summary.min === null || summary.max === null) return null;
  const rank = Math.min(summary.n, Math.max(1, Math.ceil(p * summary.n)));
  let seen = 0;
  let bin = LATENCY_BINS - 1;
  for (let i = 0; i < LATENCY_BINS; i++) {
    seen += summary.bins[i]!;
    if (seen >= rank) {
      bin = i;
      break;
    }
  }
  const value = bin === 0 ? LATENCY_EDGES[0]! / 2 : bin === LATENCY_BINS - 1 ? summary.max : Math.sqrt(LATENCY_EDGES[bin - 1]! * LATENCY_EDGES[bin]!);
  return Math.min(summary.max, Math.max(summary.min, value));
}

/** How many durations are above `thresholdMs` (exact at an edge; see the header). */
export function countAbove(bins: ArrayLike<number>, thresholdMs: number): number {
  const at = binOf(thresholdMs);
  let count = 0;
  for (let i = at + 1; i < LATENCY_BINS; i++) count += bins[i]!;
  const upper = LATENCY_EDGES[at];
  if (upper === undefined || upper === thresholdMs || bins[at] === 0) return count;
  const lower = at === 0 ? 0 : LATENCY_EDGES[at - 1]!;
  return count + Math.round(bins[at]! * (upper - thresholdMs) / (upper - lower));
}

// A histogram stored in SQLite (the rollups' hist column): for each non-empty bin in order, the
// character U+0100 + bin, then its count in decimal digits. Text, not a BLOB: better-sqlite3 reads a
// short string several times faster than it makes a Buffer, and the reads sum thousands of them.
export function encodeBins(bins: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < LATENCY_BINS; i++) if (bins[i]) out += String.fromCharCode(0x100 + i) + String(bins[i]);
  return out;
}

/** Adds an encoded histogram into `bins`. */
export function addEncoded(bins: number[], encoded: string | null): void {
  if (!encoded) return;
  let bin = -1;
  let count = 0;
  for (let at = 0; at < encoded.length; at++) {
    const code = encoded.charCodeAt(at);
    if (code >= 0x100) {
      if (bin >= 0) bins[bin]! += count;
      bin = code - 0x100;
      count = 0;
    } else {
      count = count * 10 + (code - 48);
    }
  }
  if (bin >= 0) bins[bin]! += count;
}
