// Option parsers shared by the command files: each names its flag and what it expects.

export function parsePort(value: string): number {
  const port = Number.parseInt(value, 10);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port expects 0-65535, got "${value}"`);
  return port;
}

export function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(ms) || ms <= 0) throw new Error(`--timeout expects the request timeout in milliseconds, a whole number greater than 0 (e.g. --timeout 30000), got "${value}"`);
  return ms;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** KEY=VALUE pairs of a repeatable flag. */
export function keyValues(pairs: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${flag} expects KEY=VALUE, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** A JSON object given on the command line (e.g. --args). */
export function jsonObject(value: string | undefined, flag: string): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new Error(`${flag} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${flag} must be a JSON object`);
  return parsed as Record<string, unknown>;
}
