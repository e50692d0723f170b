// Insertion order for bounded maps, without iterating a Map from its front (a Map keeps the slots
// of deleted entries until it is rebuilt, so walking from the front after many deletions walks
// over all of them, on every call). Keys are queued as inserted; the oldest come out first.

export class FifoKeys<V> {
  private queue: Array<{ key: string; value: V }> = [];
  private head = 0;

  push(key: string, value: V): void {
    this.queue.push({ key, value });
  }

  /** The oldest entry still queued, removed from the queue; undefined when empty. */
  shift(): { key: string; value: V } | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head]!;
    this.queue[this.head++] = undefined as never;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  clear(): void {
    this.queue = [];
    this.head = 0;
  }
}

/**
 * Drops the oldest entries of `map` until it holds at most `max`: each queued key is dropped when
 * the map still holds the value it was queued with and `removable` says so (else it is queued
 * again, or forgotten when the map no longer holds it). The queue never outgrows the map by much.
 */
export function evictOldest<V>(map: Map<string, V>, order: FifoKeys<V>, max: number, removable: (value: V) => boolean = () => true): void {
  let budget = order.length;
  while (map.size > max && budget-- > 0) {
    const item = order.shift();
    if (!item) return;
    if (map.get(item.key) !== item.value) continue;
    if (removable(item.value)) map.delete(item.key);
    else order.push(item.key, item.value);
  }
  // Stale keys (their entries replaced or deleted elsewhere) are shed once the queue is twice the map.
  if (order.length > 2 * map.size + 1024) {
    const live: Array<{ key: string; value: V }> = [];
    for (let item = order.shift(); item; item = order.shift()) if (map.get(item.key) === item.value) live.push(item);
    for (const item of live) order.push(item.key, item.value);
  }
}
