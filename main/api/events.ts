// The event hub: domain services publish here (approval added, audit record written, server
// state changed…) and the UI transports subscribe (Electron IPC, SSE at /api/events).
// A payload that does not match its schema is dropped with a warning, never forwarded.
import { eventSchemas, type ApiEvent, type EventName, type EventPayload } from '../../shared/api/events.ts';
import { formatZodIssues } from '../base/zod-issues.ts';

export type HubListener = (event: ApiEvent) => void;

export class EventHub {
  private readonly listeners = new Set<HubListener>();
  private readonly warn: (message: string) => void;

  constructor(warn: (message: string) => void = (message) => process.emitWarning(message)) {
    this.warn = warn;
  }

  emit<E extends EventName>(event: E, data: EventPayload<E> | Record<string, unknown>): void {
    // Nobody listening (no UI open): skip the validation, which is not free on the call path.
    if (this.listeners.size === 0) return;
    const parsed = eventSchemas[event].safeParse(data);
    if (!parsed.success) {
      this.warn(`event ${event} dropped: ${formatZodIssues(parsed.error)}`);
      return;
    }
    const message = { event, data: parsed.data } as ApiEvent;
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch (error) {
        this.warn(`event listener failed on ${event}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}

/** The daemon's parts that produce UI events, typed structurally (no import of their classes). */
export interface EventSources {
  /** Supervisor: every server state change. */
  readonly supervisor?: { onStatus(listener: (status: { id: string; state: string }) => void): () => void };
  /** Approval broker: its EventEmitter with 'added' and 'resolved'. */
  readonly approvals?: {
    readonly events: {
      on(event: 'added' | 'resolved', listener: (approval: { id: string }) => void): unknown;
      off(event: 'added' | 'resolved', listener: (approval: { id: string }) => void): unknown;
    };
  };
  /** Audit interceptor: every record written. */
  readonly audit?: { onRecord(listener: (record: { id: string }) => void): () => void };
  /** Circuit breakers: every state change. */
  readonly breaker?: { onChange(listener: (state: { serverId: string; state: string }) => void): () => void };
}

/** Forwards the sources' events into the hub; returns a function that disconnects them all. */
export function connectEventSources(hub: EventHub, sources: EventSources): () => void {
  const offs: Array<() => void> = [];
  if (sources.supervisor) offs.push(sources.supervisor.onStatus((status) => hub.emit('server.state', { ...status, serverId: status.id })));
  if (sources.approvals) {
    const added = (approval: { id: string }) => hub.emit('approval.added', approval);
    const resolved = (approval: { id: string }) => hub.emit('approval.resolved', approval);
    sources.approvals.events.on('added', added);
    sources.approvals.events.on('resolved', resolved);
    offs.push(() => {
      sources.approvals!.events.off('added', added);
      sources.approvals!.events.off('resolved', resolved);
    });
  }
  if (sources.breaker) offs.push(sources.breaker.onChange((state) => hub.emit('server.breaker', state)));
  if (sources.audit) offs.push(sources.audit.onRecord((record) => hub.emit('audit.record', record)));
  return () => offs.forEach((off) => off());
}
