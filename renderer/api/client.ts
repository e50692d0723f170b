// The UI's one entry to the daemon: a typed client over the merged contract, the event source,
// and the state of the connection (live, offline, or this page's token expired).
import { createApiClient, type CallTransport } from '../../shared/api/define.ts';
import { apiContract } from '../../shared/api/contract.ts';
import type { EventListener, EventName, EventTransport } from '../../shared/api/events.ts';
import { eventSchemas } from '../../shared/api/events.ts';
import { SseEventTransport, type StreamState } from './event-stream.ts';
import { httpTransport, ipcTransport, takeTokenFromLocation, tokenStorageKey } from './transport.ts';

/**
 * What the page knows about the daemon. 'connecting': not reached yet; 'live': events flow, what
 * is shown is current; 'offline': not reachable since `since` (retrying), so what is shown may be
 * out of date; 'expired': the daemon answers but refuses this page's token (it restarted).
 */
export interface Connection {
  readonly state: 'connecting' | 'live' | 'offline' | 'expired';
  /** When the state began (ms). */
  readonly since: number;
}

/** Folds the stream's states into the page's: once offline, reconnect attempts stay offline. */
export function nextConnection(current: Connection, stream: StreamState, now: number): Connection {
  let state: Connection['state'];
  if (current.state === 'expired' || stream === 'expired') state = 'expired';
  else if (stream === 'connecting') state = current.state === 'live' || current.state === 'offline' ? 'offline' : 'connecting';
  else state = stream;
  return state === current.state ? current : { state, since: now };
}

function setup(): { transport: CallTransport; events: EventTransport; mode: 'ipc' | 'http'; stream: SseEventTransport | null } {
  const bridge = window.switchboard;
  if (bridge) {
    const events: EventTransport = {
      on<E extends EventName>(event: E, listener: EventListener<E>) {
        return bridge.on(event, (data) => {
          const parsed = eventSchemas[event].safeParse(data);
          if (parsed.success) (listener as (d: unknown) => void)(parsed.data);
        });
      },
    };
    return { transport: ipcTransport(bridge), events, mode: 'ipc', stream: null };
  }
  takeTokenFromLocation(window.location, window.sessionStorage, window.history);
  // Opening a new address (#token=…) in this tab changes only the fragment, which loads nothing:
  // take its token and start over, so no state from the old token survives.
  window.addEventListener('hashchange', () => {
    if (!window.location.hash.startsWith('#token=')) return;
    takeTokenFromLocation(window.location, window.sessionStorage, window.history);
    window.location.reload();
  });
  const getToken = () => window.sessionStorage.getItem(tokenStorageKey);
  const stream = new SseEventTransport(getToken);
  return { transport: httpTransport(getToken, { onUnauthorized: () => stream.expire() }), events: stream, mode: 'http', stream };
}

const connection = setup();

export const api = createApiClient(apiContract, connection.transport);
export const events = connection.events;
export const transportMode = connection.mode;

let current: Connection = { state: connection.stream ? 'connecting' : 'live', since: Date.now() };
const connectionListeners = new Set<(connection: Connection, previous: Connection) => void>();
connection.stream?.onState((state) => {
  const previous = current;
  current = nextConnection(current, state, Date.now());
  if (current !== previous) for (const listener of connectionListeners) listener(current, previous);
});

export function getConnection(): Connection {
  return current;
}

/** Called on every change of the connection, with the state before it. */
export function onConnection(listener: (connection: Connection, previous: Connection) => void): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

export function hasToken(): boolean {
  return connection.mode === 'ipc' || window.sessionStorage.getItem(tokenStorageKey) !== null;
}
