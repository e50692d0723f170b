// The connection to the daemon as React state (see Connection in api/client.ts).
import { useSyncExternalStore } from 'react';
import { getConnection, onConnection, type Connection } from '../api/client.ts';

export function useConnection(): Connection {
  return useSyncExternalStore(onConnection, getConnection);
}

/** True while what the page shows may be out of date: the daemon has not been reachable. */
export function useStale(): boolean {
  return useConnection().state === 'offline';
}
