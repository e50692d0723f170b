// The UI's one entry to the daemon: a typed client over the merged contract and the event source.
import { createApiClient, type CallTransport } from '../../shared/api/define.ts';
import { apiContract } from '../../shared/api/contract.ts';
import type { EventListener, EventName, EventTransport } from '../../shared/api/events.ts';
import { eventSchemas } from '../../shared/api/events.ts';
import { SseEventTransport, type StreamState } from './event-stream.ts';
import { httpTransport, ipcTransport, takeTokenFromLocation, tokenStorageKey } from './transport.ts';

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
  const getToken = () => window.sessionStorage.getItem(tokenStorageKey);
  const stream = new SseEventTransport(getToken);
  return { transport: httpTransport(getToken), events: stream, mode: 'http', stream };
}

const connection = setup();

export const api = createApiClient(apiContract, connection.transport);
export const events = connection.events;
export const transportMode = connection.mode;

export function onStreamState(listener: (state: StreamState) => void): () => void {
  if (!connection.stream) {
    listener('live');
    return () => {};
  }
  listener(connection.stream.state);
  return connection.stream.onState(listener);
}

export function hasToken(): boolean {
  return connection.mode === 'ipc' || window.sessionStorage.getItem(tokenStorageKey) !== null;
}
