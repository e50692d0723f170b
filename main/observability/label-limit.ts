// Bounded label values for Prometheus: every distinct label value is a new time series, and tool
// names, client names and server ids come from outside. Each scope (e.g. one server's tools) keeps
// the first `max` values it sees; later ones are reported as `other`.
export const OTHER_LABEL = 'other';

export class LabelLimit {
  private readonly max: number;
  private readonly seen = new Map<string, Set<string>>();

  constructor(max: number) {
    this.max = max;
  }

  /** `value` itself while the scope has fewer than `max` values (or already has this one), else `other`. */
  label(scope: string, value: string): string {
    let values = this.seen.get(scope);
    if (values === undefined) {
      values = new Set();
      this.seen.set(scope, values);
    }
    if (values.has(value)) return value;
    if (values.size >= this.max) return OTHER_LABEL;
    values.add(value);
    return value;
  }
}
