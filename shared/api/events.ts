// Events the daemon pushes to the UI (IPC in the desktop app, Server-Sent Events at /api/events
// in web mode). Declared once here; both sides validate against these schemas. Payloads are
// loose objects: the domain services own their full shapes, the UI relies only on the fields
// named here and shows the rest as it comes.
import { z } from 'zod';
import { BreakerEventSchema } from './flow-guardrails.ts';

export const eventSchemas = {
  /** A tool call is waiting for the user's answer. */
  'approval.added': z.looseObject({
    id: z.string(),
    serverId: z.string().optional(),
    tool: z.string().optional(),
    expiresAt: z.union([z.string(), z.number()]).optional(),
  }),
  /** A pending approval was answered, timed out or withdrawn. */
  'approval.resolved': z.looseObject({
    id: z.string(),
    answer: z.string().optional(),
  }),
  /** An audit record was written (one proxied call). */
  'audit.record': z.looseObject({
    id: z.string(),
  }),
  /** A server changed state (stopped, starting, ready, failed…). */
  'server.state': z.looseObject({
    serverId: z.string(),
    state: z.string(),
  }),
  /** An SLO burn-rate alert fired or cleared (the desktop app shows a notification). */
  'slo.alert': z.looseObject({
    serverId: z.string(),
    state: z.enum(['firing', 'cleared']),
    message: z.string(),
  }),
  /** A content guardrail flagged something: a tool definition (injection scan) or a client's daily budget (80%, 100%). Names rules and detectors, never values. */
  'guardrail.flag': z.looseObject({
    kind: z.enum(['tool', 'budget']),
    rule: z.string(),
  }),
  /** A server's circuit breaker changed state (main/guardrails/breaker-interceptor.ts). */
  'server.breaker': BreakerEventSchema,
  /** The configuration changed (servers added/removed, settings). */
  'config.changed': z.looseObject({}),
  /** A `switchboard://install?...` link asks to add a server; the UI confirms before adding. */
  'app.install-request': z.object({
    id: z.string(),
    transport: z.enum(['stdio', 'streamable-http', 'sse']),
    command: z.string().optional(),
    args: z.array(z.string()).default([]),
    url: z.string().optional(),
    source: z.string(),
  }),
} as const;

export type EventName = keyof typeof eventSchemas;
export const EVENT_NAMES = Object.keys(eventSchemas) as EventName[];
export type EventPayload<E extends EventName> = z.output<(typeof eventSchemas)[E]>;

/** What travels on the wire: one event name and its payload. */
export const ApiEventSchema = z.object({
  event: z.enum(EVENT_NAMES as [EventName, ...EventName[]]),
  data: z.unknown(),
});
export type ApiEvent = { [E in EventName]: { event: E; data: EventPayload<E> } }[EventName];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(eventSchemas, name);
}

/** Validates an incoming wire event; returns null (and drops it) when it does not match. */
export function parseApiEvent(raw: unknown): ApiEvent | null {
  const envelope = ApiEventSchema.safeParse(raw);
  if (!envelope.success) return null;
  const data = eventSchemas[envelope.data.event].safeParse(envelope.data.data);
  if (!data.success) return null;
  return { event: envelope.data.event, data: data.data } as ApiEvent;
}

export type EventListener<E extends EventName> = (data: EventPayload<E>) => void;
export type Unsubscribe = () => void;

/** How the UI receives events: IPC in the desktop app, SSE in web mode. */
export interface EventTransport {
  on<E extends EventName>(event: E, listener: EventListener<E>): Unsubscribe;
}
