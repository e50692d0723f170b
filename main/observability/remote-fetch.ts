// The fetch of a remote server's connection, with two headers the MCP message alone cannot carry:
// - `traceparent`/`tracestate` of the proxy span, copied from the request's params._meta (where
//   the tracing interceptor put it), for servers that trace at the HTTP layer;
// - when settings.observability.endUserHeader names one, that header with the OS user's name.
//   It is asserted by this machine: the server learns who the app says the user is, not a proof.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

export interface RemoteFetchOptions {
  /** The header's name, read per request (undefined: not sent). */
  endUserHeader: () => string | undefined;
  osUser: string;
}

export function createRemoteFetch(options: RemoteFetchOptions): (server: unknown, inner: FetchLike) => FetchLike {
  return (_server, inner) => async (url, init) => {
    const endUser = options.endUserHeader();
    const trace = typeof init?.body === 'string' && init.body.includes('"traceparent"') ? traceHeaders(init.body) : undefined;
    if (endUser === undefined && trace === undefined) return inner(url, init);
    const headers = new Headers(init?.headers);
    if (endUser !== undefined) headers.set(endUser, options.osUser);
    if (trace) for (const [name, value] of Object.entries(trace)) headers.set(name, value);
    return inner(url, { ...init, headers });
  };
}

/** traceparent/tracestate from the _meta of a single JSON-RPC request body. */
function traceHeaders(body: string): Record<string, string> | undefined {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return undefined;
  }
  const meta = (message as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
  if (typeof meta?.traceparent !== 'string') return undefined;
  return { traceparent: meta.traceparent, ...(typeof meta.tracestate === 'string' ? { tracestate: meta.tracestate } : {}) };
}
