// The one poll-until of the tests, for state that announces no event (another process's files,
// a daemon's API, a child's state): reads every `intervalMs` until the value is what we wait for.
// Not a timing assertion: the timeout only turns a hang into an error that names what was awaited.

export interface UntilOptions<T> {
  /** When the value read is the one awaited (default: truthy). */
  done?: (value: T) => boolean;
  /** Default 15 s. */
  timeoutMs?: number;
  /** Named in the timeout error. */
  what?: string;
  /** Default 20 ms. */
  intervalMs?: number;
}

/** Resolves with `read()`'s first value that is `done`; rejects after the timeout (or with what `read` throws). */
export async function until<T>(read: () => T | Promise<T>, options: UntilOptions<T> = {}): Promise<T> {
  const done = options.done ?? Boolean;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      const last = typeof value === 'boolean' ? '' : `; last value: ${JSON.stringify(value)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}
