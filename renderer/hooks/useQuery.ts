// Loads data from the daemon with loading/error state and a reload(); "not available" when the
// daemon does not serve the method (a domain that has not landed, or an older daemon). Every
// query loads again when the daemon is back after being unreachable: events were missed meanwhile.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../shared/api/define.ts';
import { onConnection } from '../api/client.ts';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  notAvailable: boolean;
  reload: () => void;
}

export function isNotAvailable(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'not_found' && /unknown API method/i.test(error.message);
}

export function useQuery<T>(load: () => Promise<T>, deps: readonly unknown[]): QueryState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (cancelled) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (reason: unknown) => {
        if (cancelled) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => onConnection((now, previous) => {
    if (now.state === 'live' && previous.state === 'offline') reload();
  }), [reload]);
  return { data, error, loading, notAvailable: isNotAvailable(error), reload };
}

/** Runs an action (a button press) with busy and error state. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>): {
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: Error | null;
  clearError: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      return await action(...args);
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [action]);
  return { run, busy, error, clearError: () => setError(null) };
}
