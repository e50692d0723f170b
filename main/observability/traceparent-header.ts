// An HTTP client may send its trace context as the W3C `traceparent` (and `tracestate`) header
// rather than in `params._meta`. The endpoint puts the header into _meta of the requests of that
// POST, where the tracing interceptor reads it; a traceparent already in _meta wins.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export function adoptTraceparentHeader(message: JSONRPCMessage, headers: Record<string, string | string[] | undefined>): JSONRPCMessage {
  const traceparent = headers.traceparent;
  if (typeof traceparent !== 'string' || !('method' in message) || !('id' in message)) return message;
  const params = (message.params ?? {}) as Record<string, unknown>;
  const meta = (params._meta ?? {}) as Record<string, unknown>;
  if (typeof meta.traceparent === 'string') return message;
  const tracestate = headers.tracestate;
  return { ...message, params: { ...params, _meta: { ...meta, traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) } } } as JSONRPCMessage;
}
