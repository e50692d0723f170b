// A span per proxied request, named and attributed by the OpenTelemetry MCP semantic conventions
// (span `{mcp.method.name} {target}`, kind SERVER: the proxy receives the request). Its parent is
// the client's `params._meta.traceparent`/`tracestate` (an HTTP client's `traceparent` header is
// put there by the endpoint when _meta has none); the request that goes upstream carries this
// span's context in `params._meta` instead, so a server that traces joins the same trace (remote
// servers also get it as HTTP headers: remote-fetch.ts). Policy decisions and approval waits are
// span events. Export is best-effort (a bounded queue, dropped when full); the audit is the record.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, createTraceState, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { CallContext, Interceptor, Next, RelayResponse } from '../relay/interceptor.ts';

export const TRACED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'resources/read', 'prompts/get']);

type Meta = Record<string, unknown>;

// W3C trace context, read and written by hand: the API's propagator costs several µs a call.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The trace context a request's params._meta names (ROOT_CONTEXT when none, or when malformed). */
export function contextFromMeta(meta: unknown): Context {
  const traceparent = (meta as Meta | null | undefined)?.traceparent;
  if (typeof traceparent !== 'string') return ROOT_CONTEXT;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match || match[1] === 'ff' || (match[1] === '00' && match[5] !== undefined) || match[2] === ZERO_TRACE || match[3] === ZERO_SPAN) return ROOT_CONTEXT;
  const tracestate = (meta as Meta).tracestate;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: match[2]!,
    spanId: match[3]!,
    traceFlags: Number.parseInt(match[4]!, 16) & 1,
    isRemote: true,
    ...(typeof tracestate === 'string' ? { traceState: createTraceState(tracestate) } : {}),
  });
}

/**
 * Puts `span`'s context in the request's params._meta as traceparent (and tracestate), the rest of
 * _meta kept. In place: the interceptors inside pass ctx.request on, so a copy would not reach upstream.
 */
export function putSpanInMeta(request: JSONRPCRequest, span: Span): void {
  const params = (request.params ??= {}) as Record<string, unknown>;
  const meta: Meta = { ...(params._meta as Meta | undefined) };
  const context = span.spanContext();
  meta.traceparent = `00-${context.traceId}-${context.spanId}-0${context.traceFlags & 1}`;
  const state = context.traceState?.serialize();
  if (state) meta.tracestate = state;
  else delete meta.tracestate;
  params._meta = meta;
}

const NETWORK_TRANSPORT: Record<string, string | undefined> = { socket: 'pipe', http: 'tcp' };

export interface TracingInterceptorDeps {
  /** Null while tracing is off: calls pass through untouched. Read per call. */
  tracer: () => Tracer | null;
}

export class TracingInterceptor implements Interceptor {
  readonly name = 'tracing';
  readonly methods = TRACED_METHODS;
  private readonly deps: TracingInterceptorDeps;

  constructor(deps: TracingInterceptorDeps) {
    this.deps = deps;
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const tracer = this.deps.tracer();
    if (tracer === null) return next(ctx.request);
    const { request, session } = ctx;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const method = request.method;
    const attributes: Attributes = {
      'mcp.method.name': method,
      'mcp.session.id': session.sessionId,
      'jsonrpc.request.id': String(request.id),
    };
    let target: string | undefined;
    if (method === 'tools/call' && typeof params.name === 'string') {
      target = params.name;
      attributes['gen_ai.tool.name'] = target;
      attributes['gen_ai.operation.name'] = 'execute_tool';
    } else if (method === 'prompts/get' && typeof params.name === 'string') {
      target = params.name;
      attributes['gen_ai.prompt.name'] = target;
    } else if (method === 'resources/read' && typeof params.uri === 'string') {
      // Not in the span name: URIs are high cardinality (the conventions' default).
      attributes['mcp.resource.uri'] = params.uri;
    }
    if (session.protocolVersion) attributes['mcp.protocol.version'] = session.protocolVersion;
    const transport = NETWORK_TRANSPORT[session.transport];
    if (transport) attributes['network.transport'] = transport;
    attributes['switchboard.server.id'] = session.serverId;
    if (session.client?.name) attributes['switchboard.client.name'] = session.client.name;

    const span = tracer.startSpan(target === undefined ? method : `${method} ${target}`, { kind: SpanKind.SERVER, attributes }, contextFromMeta(params._meta));
    let response: RelayResponse;
    putSpanInMeta(request, span);
    const { traceId, spanId } = span.spanContext();
    ctx.traceContext = { traceId, spanId };
    try {
      response = await next(request);
    } catch (error) {
      span.setAttribute('error.type', 'relay_error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
      throw error;
    }
    this.describeOutcome(ctx, span, response);
    span.end();
    return response;
  }

  private describeOutcome(ctx: CallContext, span: Span, response: RelayResponse): void {
    const decision = ctx.decision;
    if (decision) {
      span.addEvent('switchboard.policy.decision', {
        'switchboard.decision': decision.action,
        'switchboard.rule': decision.rule,
        'switchboard.source': decision.source,
      });
    }
    if (ctx.approvalWaitMs !== undefined) {
      span.addEvent('switchboard.approval', { 'switchboard.approval.wait_ms': ctx.approvalWaitMs, 'switchboard.approver': ctx.approver ?? 'unknown' });
    }
    if ('error' in response) {
      span.setAttribute('error.type', String(response.error.code));
      span.setAttribute('rpc.response.status_code', String(response.error.code));
      span.setStatus({ code: SpanStatusCode.ERROR, message: response.error.message });
    } else if ((response.result as { isError?: unknown } | undefined)?.isError === true) {
      span.setAttribute('error.type', 'tool_error');
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
}
