// Preloaded into the @modelcontextprotocol/conformance runner (`node --import <this file> …/conformance …`)
// so that it can talk to /mcp/<id>, which wants a bearer token: the runner has no header or auth option.
// It adds `Authorization: Bearer $SWITCHBOARD_CONFORMANCE_TOKEN` to every request the process sends to
// $SWITCHBOARD_CONFORMANCE_ORIGIN, through undici's global dispatcher, which both the SDK client (global
// fetch) and the runner's raw requests (undici.request, used by dns-rebinding-protection) go through.
// Nothing else changes: Host, Origin and every other header reach the daemon exactly as the runner sent
// them, with no extra hop, like a real client configured with a header.
import { Agent, setGlobalDispatcher, type Dispatcher } from 'undici';

type Headers = Dispatcher.DispatchOptions['headers'];

function withAuthorization(headers: Headers, value: string): Headers {
  const entries: [string, string | string[]][] = [];
  if (Array.isArray(headers)) {
    // Either flat [name, value, name, value…] or [[name, value]…].
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as unknown as [string, string][]) entries.push(pair);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) entries.push([String(headers[i]), headers[i + 1] as string]);
    }
  } else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const pair of headers as Iterable<[string, string | string[]]>) entries.push(pair);
  } else if (headers) {
    for (const [name, v] of Object.entries(headers)) if (v !== undefined) entries.push([name, v as string | string[]]);
  }
  const result: Record<string, string | string[]> = {};
  for (const [name, v] of entries) if (name.toLowerCase() !== 'authorization') result[name] = v;
  result.authorization = value;
  return result;
}

const token = process.env.SWITCHBOARD_CONFORMANCE_TOKEN;
const origin = process.env.SWITCHBOARD_CONFORMANCE_ORIGIN;
if (!token || !origin) {
  throw new Error('conformance-auth: set SWITCHBOARD_CONFORMANCE_TOKEN and SWITCHBOARD_CONFORMANCE_ORIGIN');
}
const target = new URL(origin).origin;

setGlobalDispatcher(
  new Agent().compose((dispatch) => (options, handler) => {
    const to = options.origin === undefined ? undefined : new URL(String(options.origin)).origin;
    if (to !== target) return dispatch(options, handler);
    return dispatch({ ...options, headers: withAuthorization(options.headers, `Bearer ${token}`) }, handler);
  }),
);
