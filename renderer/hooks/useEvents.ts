import { useEffect, useRef, useState } from 'react';
import type { EventName, EventPayload } from '../../shared/api/events.ts';
import { events } from '../api/client.ts';

/** Calls `listener` for each event of these names while the component is mounted. */
export function useEvent<E extends EventName>(names: E | readonly E[], listener: (data: EventPayload<E>, name: E) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  const key = Array.isArray(names) ? names.join(',') : (names as string);
  useEffect(() => {
    const list = (key.split(',') as E[]);
    const offs = list.map((name) => events.on(name, (data) => ref.current(data, name)));
    return () => offs.forEach((off) => off());
  }, [key]);
}

/** The current time, refreshed every `intervalMs` (for countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
