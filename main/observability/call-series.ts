// The per-call series (the calls counter and the duration histogram), counted in plain numbers and
// handed to prom-client's registry only when /metrics is scraped.
//
// Why not prom-client's Counter and Histogram: each inc and observe validates the label object and
// hashes it again, also through a child from labels(); with a call costing a few µs in all, that was
// the larger part of the metrics' share. Here a call is one Map lookup on the raw values and three
// additions; the text format is prom-client's own (these objects are registered metrics).
import type { Registry } from 'prom-client';

export type CallLabels = Readonly<Record<'server' | 'tool' | 'method' | 'client' | 'outcome', string>>;

interface Series {
  readonly labels: CallLabels;
  count: number;
  /** Calls with a duration (the histogram's count). */
  observed: number;
  sum: number;
  /** Observations per bucket, not cumulative; the last slot is above every bound (+Inf only). */
  readonly buckets: number[];
}

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

export class CallSeries {
  private readonly byKey = new Map<string, Series>();
  private readonly bounds: readonly number[];

  constructor(registry: Registry, options: { counter: { name: string; help: string }; histogram: { name: string; help: string; buckets: readonly number[] } }) {
    this.bounds = options.histogram.buckets;
    const series = this.byKey;
    const bounds = this.bounds;
    const counter = options.counter;
    const histogram = options.histogram;
    // Duck-typed prom-client metrics: the registry asks each for get() when it renders the text.
    registry.registerMetric({
      name: counter.name,
      help: counter.help,
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({
        name: counter.name, help: counter.help, type: 'counter', aggregator: 'sum',
        values: [...series.values()].map((s): MetricValue => ({ labels: { ...s.labels }, value: s.count })),
      }),
    } as unknown as Parameters<Registry['registerMetric']>[0]);
    registry.registerMetric({
      name: histogram.name,
      help: histogram.help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => {
        const values: MetricValue[] = [];
        for (const s of series.values()) {
          if (s.observed === 0) continue;
          let cumulative = 0;
          for (let i = 0; i < bounds.length; i++) {
            cumulative += s.buckets[i]!;
            values.push({ metricName: `${histogram.name}_bucket`, labels: { le: bounds[i]!, ...s.labels }, value: cumulative });
          }
          values.push({ metricName: `${histogram.name}_bucket`, labels: { le: '+Inf', ...s.labels }, value: s.observed });
          values.push({ metricName: `${histogram.name}_sum`, labels: { ...s.labels }, value: s.sum });
          values.push({ metricName: `${histogram.name}_count`, labels: { ...s.labels }, value: s.observed });
        }
        return { name: histogram.name, help: histogram.help, type: 'histogram', aggregator: 'sum', values };
      },
    } as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /**
   * One call. `key` names the raw values (server, tool, method, client, outcome); `labels` makes
   * the bounded label values, asked only the first time a key is seen.
   */
  add(key: string, labels: () => CallLabels, durationSeconds: number | null): void {
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = { labels: labels(), count: 0, observed: 0, sum: 0, buckets: new Array<number>(this.bounds.length + 1).fill(0) };
      this.byKey.set(key, s);
    }
    s.count++;
    if (durationSeconds === null) return;
    s.observed++;
    s.sum += durationSeconds;
    let i = 0;
    while (i < this.bounds.length && durationSeconds > this.bounds[i]!) i++;
    s.buckets[i]!++;
  }
}
