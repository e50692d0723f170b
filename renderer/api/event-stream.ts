// Web mode's events: GET api/events read with fetch (so the token travels in a header, not the
// URL), parsed as Server-Sent Events, validated against shared/api/events.ts, reconnected with
// backoff. The desktop app gets the same events from the preload instead. A 401 is not retried:
// the daemon is up but no longer knows this page's token (a restarted daemon has a new one), so
// the stream ends in 'expired' until the page is opened with the new address.
import { eventSchemas, isEventName, type EventListener, type EventName, type EventTransport } from '../../shared/api/events.ts';

/**
 * 'offline': the daemon is not reachable (retrying); 'expired': it answers, but refuses this
 * page's API token (final).
 */
export type StreamState = 'connecting' | 'live' | 'offline' | 'expired';

/** Splits an SSE byte stream into events; returns the unparsed remainder. */
export function parseSseChunk(buffer: string, emit: (event: string, data: string) => void): string {
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) emit(event, data.join('\n'));
  }
  return rest;
}

export class SseEventTransport implements EventTransport {
  private readonly listeners = new Map<EventName, Set<(data: unknown) => void>>();
  private readonly stateListeners = new Set<(state: StreamState) => void>();
  private readonly getToken: () => string | null;
  private controller: AbortController | null = null;
  private retryMs = 1000;
  private stateValue: StreamState = 'offline';
  private expired = false;

  constructor(getToken: () => string | null) {
    this.getToken = getToken;
  }

  get state(): StreamState {
    return this.stateValue;
  }

  onState(listener: (state: StreamState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  on<E extends EventName>(event: E, listener: EventListener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (data: unknown) => void);
    if (!this.controller && !this.expired) void this.connect();
    return () => {
      set.delete(listener as (data: unknown) => void);
    };
  }

  close(): void {
    this.controller?.abort();
    this.controller = null;
  }

  /** The daemon refused this page's token (here or on an API call): stop for good and say so. */
  expire(): void {
    if (this.expired) return;
    this.expired = true;
    this.controller?.abort();
    this.setState('expired');
  }

  private setState(state: StreamState): void {
    if (this.expired && state !== 'expired') return;
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private dispatch(event: string, data: string): void {
    if (!isEventName(event)) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = eventSchemas[event].safeParse(payload);
    if (!parsed.success) return;
    for (const listener of this.listeners.get(event) ?? []) listener(parsed.data);
  }

  private async connect(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    while (!controller.signal.aborted) {
      this.setState('connecting');
      try {
        const token = this.getToken();
        const response = await fetch('api/events', {
          headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (response.status === 401) {
          void response.body?.cancel().catch(() => {});
          this.expire();
          break;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        this.setState('live');
        this.retryMs = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = parseSseChunk(buffer + value, (event, data) => this.dispatch(event, data));
        }
      } catch {
        // fall through to the retry below
      }
      if (controller.signal.aborted) break;
      this.setState('offline');
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, 15_000);
    }
  }
}
