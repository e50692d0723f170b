// A stop that cannot hang: SIGTERM from a user, a service manager or a test must end the daemon
// even when some part of its shutdown waits on something that never comes (a remote that holds a
// request, a child that ignores signals). Calls in flight are answered within the first seconds
// (relay shutdown, endpoint drain, child kill grace); after the deadline the process exits anyway.

export const STOP_DEADLINE_MS = 15_000;

/** Runs stop(); if it has not settled after `ms`, calls overdue() (which is expected to exit the process). */
export function stopWithDeadline(stop: () => Promise<void>, ms: number, overdue: () => void): Promise<void> {
  const timer = setTimeout(overdue, ms);
  return stop().finally(() => clearTimeout(timer));
}
