// The policy link of the relay chain: refuses calls to servers policy does not admit, hides
// denied tools from tools/list, pins tool definitions, and decides tools/call, resources/read
// and prompts/get (deny → refusal naming rule and source, ask → the approval broker, allow →
// next). The decision and approver go on the CallContext for the audit interceptor outside.
import type { JSONRPCNotification, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../../shared/config.ts';
import type { ApprovalAnswer, ApprovalBroker, ApprovalKind } from '../approvals/broker.ts';
import { ProxyErrorCode, REFUSAL_META_KEY, cancelledByClient, type CallContext, type Decision, type Interceptor, type Next, type RelayResponse, type SessionInfo } from '../relay/interceptor.ts';
import { errorResponse } from '../base/ndjson.ts';
import type { PolicyDecision, PolicyEngine } from './engine.ts';
import type { PinChange, PinStore } from './pin-store.ts';
import type { TargetKind, ToolAnnotations } from './tool-rules.ts';

export interface ListedTool {
  readonly name: string;
  readonly description?: string;
  readonly inputSchema?: unknown;
  readonly annotations?: ToolAnnotations & Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface PolicyInterceptorDeps {
  /** The current engine; re-read per call so policy reloads apply at once. */
  readonly engine: () => PolicyEngine;
  readonly broker: ApprovalBroker;
  readonly pins: PinStore;
  /** The configured server behind a session; undefined means unknown (refused). */
  readonly serverConfig: (serverId: string) => ServerConfig | undefined;
}

/**
 * The tools of one session as its own upstream listed them: the source of truth for pinning and
 * annotations of that session's calls (not the daemon's probe, which is another process or
 * connection and may serve another definition).
 */
interface SessionTools {
  tools: Map<string, ListedTool>;
  /** Set by notifications/tools/list_changed: the next call lists the tools again. */
  stale: boolean;
  /** Bumped by every list_changed, so a listing that started before one does not clear `stale`. */
  generation: number;
  /** The listing the interceptor itself has in flight for this session, shared by concurrent calls. */
  listing?: Promise<Map<string, ListedTool> | undefined>;
}

/** Why a tool definition could not be obtained from the session's upstream. */
class ListingFailure {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

const ANSWER_FOR: Record<string, ApprovalAnswer> = { once: 'allow-once', session: 'allow-session', always: 'always-allow' };

export class PolicyInterceptor implements Interceptor {
  readonly name = 'policy';
  readonly methods: ReadonlySet<string> = new Set(['tools/list', 'tools/call', 'resources/read', 'prompts/get']);
  private readonly deps: PolicyInterceptorDeps;
  private readonly sessions = new Map<string, SessionTools>();
  /** Definition objects already found equal to their pin: skips re-hashing on every call. */
  private readonly verified = new WeakSet<ListedTool>();
  private listings = 0;

  constructor(deps: PolicyInterceptorDeps) {
    this.deps = deps;
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const engine = this.deps.engine();
    const refusal = this.admission(engine, ctx.session.serverId);
    if (refusal) {
      ctx.decision = refusal;
      return ctx.request.method === 'tools/call' ? toolError(ctx.request, refusal) : rpcError(ctx.request, refusal);
    }
    switch (ctx.request.method) {
      case 'tools/list':
        return this.list(ctx, engine, next);
      case 'tools/call':
        return this.call(ctx, engine, next);
      case 'resources/read':
        return this.decideOther(ctx, engine, next, 'resource', String(params(ctx.request).uri ?? ''));
      case 'prompts/get':
        return this.decideOther(ctx, engine, next, 'prompt', String(params(ctx.request).name ?? ''), params(ctx.request).arguments ?? {});
      default:
        return next(ctx.request);
    }
  }

  onServerNotification(session: SessionInfo, notification: JSONRPCNotification): JSONRPCNotification | null {
    if (notification.method === 'notifications/tools/list_changed') {
      const cache = this.sessions.get(session.sessionId);
      if (cache) {
        cache.stale = true;
        cache.generation++;
      }
    }
    return notification;
  }

  onSessionClosed(session: SessionInfo): void {
    this.sessions.delete(session.sessionId);
    this.deps.broker.closeSession(session.sessionId);
  }

  /**
   * Tools/list after policy: what the relay would show a client (also for the UI's probe session).
   * A tool whose definition changed since it was pinned is served as pinned until the change is
   * accepted (the model reads descriptions, so showing the new text before the approval would be
   * too late), or hidden when pinning.onChange is deny.
   */
  visibleTools(engine: PolicyEngine, serverId: string, tools: readonly ListedTool[]): ListedTool[] {
    const onChange = engine.pinningOnChange();
    const server = this.deps.serverConfig(serverId);
    const denied = (tool: ListedTool) => engine.evaluate({ serverId, ...(server ? { server } : {}), name: tool.name, annotations: tool.annotations }).action === 'deny';
    const visible: ListedTool[] = [];
    for (const tool of tools) {
      if (denied(tool)) continue;
      const pin = this.deps.pins.observe(serverId, tool);
      if (pin.status !== 'changed') {
        this.verified.add(tool);
        visible.push(tool);
      } else if (onChange === 'allow') {
        this.deps.pins.accept(serverId, tool.name);
        this.verified.add(tool);
        visible.push(tool);
      } else if (onChange === 'ask') {
        // Only the pinned fields: anything else of the new listing (title, _meta, …) was never approved.
        const pinned = { inputSchema: { type: 'object' }, ...pin.change.old } as ListedTool;
        if (!denied(pinned)) visible.push(pinned);
      }
    }
    return visible;
  }

  private admission(engine: PolicyEngine, serverId: string): PolicyDecision | undefined {
    const server = this.deps.serverConfig(serverId);
    if (!server) return { action: 'deny', rule: 'unknown server', source: 'default', label: 'default: unknown server', reason: `server "${serverId}" is not configured` };
    const admission = engine.admitServer(server);
    if (admission.ok) return undefined;
    return { action: 'deny', rule: admission.rule, source: admission.source, label: `${admission.source}: ${admission.rule}`, reason: admission.reason };
  }

  private async list(ctx: CallContext, engine: PolicyEngine, next: Next): Promise<RelayResponse> {
    const generation = this.session(ctx.session.sessionId).generation;
    const response = await next(ctx.request);
    if (!('result' in response) || !Array.isArray((response.result as { tools?: unknown }).tools)) return response;
    const tools = (response.result as { tools: ListedTool[] }).tools;
    const paged = params(ctx.request).cursor !== undefined;
    const cache = this.session(ctx.session.sessionId);
    const map = paged ? cache.tools : new Map<string, ListedTool>();
    for (const tool of tools) map.set(tool.name, tool);
    cache.tools = map;
    if (!paged && cache.generation === generation) cache.stale = false;
    const visible = this.visibleTools(engine, ctx.session.serverId, tools);
    return { ...response, result: { ...response.result, tools: visible } };
  }

  private async call(ctx: CallContext, engine: PolicyEngine, next: Next): Promise<RelayResponse> {
    const { serverId, sessionId } = ctx.session;
    const name = String(params(ctx.request).name ?? '');
    const args = params(ctx.request).arguments ?? {};
    const found = await this.toolDefinition(sessionId, name, next);
    // The client cancelled while its session's tools were being listed: a cancelled call, not a
    // refusal (the listing failed only because the cancel reached it).
    if (cancelledByClient(ctx.signal)) return errorResponse(ctx.request.id, -32800, 'Request cancelled by the client');
    const tool = found instanceof ListingFailure ? undefined : found;
    if (tool?.annotations) ctx.toolAnnotations = tool.annotations;
    // Without the session's own definition the annotations are the MCP defaults (the strict side).
    const server = this.deps.serverConfig(serverId);
    const decision = engine.evaluate({ serverId, ...(server ? { server } : {}), name, annotations: tool?.annotations, arguments: args });
    if (decision.action === 'deny') {
      ctx.decision = decision;
      return toolError(ctx.request, decision);
    }

    if (found instanceof ListingFailure && engine.pinningOnChange() !== 'allow') {
      // Fail closed: the call would go to this upstream, whose definition cannot be compared with
      // the pin. The probe's definition is no substitute (another process, maybe another version).
      const rule = `tool definition of ${serverId}/${name} unavailable`;
      const refused: Decision & { label: string } = { action: 'deny', rule, source: 'pinning', label: `pinning: ${rule}`, reason: `the server did not list its tools to this session (${found.message}), so the definition cannot be checked against its pin` };
      ctx.decision = refused;
      return toolError(ctx.request, refused);
    }

    let pinned: Decision | undefined;
    if (tool && !this.verified.has(tool)) {
      const pin = this.deps.pins.observe(serverId, tool);
      if (pin.status !== 'changed') this.verified.add(tool);
      else {
        const refused = await this.pinningGate(ctx, engine, pin.change, args);
        if (refused) return toolError(ctx.request, refused);
        // Approved (or accepted by onChange "allow"): the record names the pinning rule, unless a
        // policy ask below is answered too, which then names its own rule and approver.
        pinned = ctx.decision;
      }
    }

    if (decision.action === 'ask') {
      const refused = await this.ask(ctx, engine, 'policy', decision, name, args);
      if (refused) return toolError(ctx.request, refused);
      return next(ctx.request);
    }
    ctx.decision = pinned ?? decision;
    return next(ctx.request);
  }

  private async decideOther(ctx: CallContext, engine: PolicyEngine, next: Next, kind: TargetKind, name: string, args: unknown = {}): Promise<RelayResponse> {
    const server = this.deps.serverConfig(ctx.session.serverId);
    const decision = engine.evaluate({ kind, serverId: ctx.session.serverId, ...(server ? { server } : {}), name, arguments: args });
    if (decision.action === 'deny') {
      ctx.decision = decision;
      return rpcError(ctx.request, decision);
    }
    if (decision.action === 'ask') {
      const refused = await this.ask(ctx, engine, 'policy', decision, name, args, undefined, kind);
      if (refused) return rpcError(ctx.request, refused);
      return next(ctx.request);
    }
    ctx.decision = decision;
    return next(ctx.request);
  }

  /** Returns the refusal when the changed definition may not be used, undefined when it may. */
  private async pinningGate(ctx: CallContext, engine: PolicyEngine, change: PinChange, args: unknown): Promise<Decision | undefined> {
    const onChange = engine.pinningOnChange();
    const rule = `tool definition of ${change.serverId}/${change.tool} changed`;
    if (onChange === 'allow') {
      this.deps.pins.accept(change.serverId, change.tool);
      ctx.decision = { action: 'allow', rule, source: 'pinning', reason: 'pinning.onChange is allow: the new definition became the pin' };
      return undefined;
    }
    const pinning: Decision & { label: string } = { action: onChange, rule, source: 'pinning', label: `pinning: ${rule}`, reason: 'the tool\'s name, description, input schema or annotations differ from when it was first seen' };
    if (onChange === 'deny') {
      ctx.decision = pinning;
      return pinning;
    }
    return this.ask(ctx, engine, 'pinning', pinning, change.tool, args, { old: change.old, new: change.new });
  }

  /** Waits for the user's answer; returns the refusal, or undefined when approved (ctx carries the approver). */
  private async ask(ctx: CallContext, engine: PolicyEngine, kind: ApprovalKind, decision: Decision & { label?: string }, name: string, args: unknown, change?: { old: unknown; new: unknown }, target: TargetKind = 'tool'): Promise<Decision | undefined> {
    const { session } = ctx;
    if (this.deps.broker.isSessionAllowed(kind, session.sessionId, session.serverId, name)) {
      ctx.decision = decision;
      ctx.approver = 'user:session';
      ctx.approvalWaitMs ??= 0;
      return undefined;
    }
    // "Always allow" adds a user rule, which cannot loosen a managed or org ask, so it is not offered there.
    const choices = engine.rememberChoices().map((c) => ANSWER_FOR[c]!)
      .filter((c) => c !== 'always-allow' || kind === 'pinning' || decision.source === 'user' || decision.source === 'default');
    const waitStarted = performance.now();
    const outcome = await this.deps.broker.request({
      kind,
      sessionId: session.sessionId,
      ...(session.client ? { client: session.client } : {}),
      clientLabel: session.clientLabel,
      serverId: session.serverId,
      tool: name,
      target,
      arguments: args,
      rule: decision.label ?? `${decision.source}: ${decision.rule}`,
      source: decision.source,
      ...(decision.reason ? { reason: decision.reason } : {}),
      ...(change ? { change } : {}),
      choices,
      signal: ctx.signal,
    });
    // A call can wait twice (a pinning approval, then a policy one): the waits add up.
    ctx.approvalWaitMs = (ctx.approvalWaitMs ?? 0) + (performance.now() - waitStarted);
    ctx.approver = outcome.approver;
    if (outcome.approved) {
      ctx.decision = decision;
      return undefined;
    }
    const why = outcome.answer === 'unattended' ? outcome.why ?? 'nobody can answer an approval here' : outcome.answer === 'timeout' ? 'no answer before the approval timed out' : outcome.answer === 'withdrawn' ? 'the call was cancelled while waiting for approval' : 'the user denied it';
    const refused: Decision & { label: string } = { action: 'deny', rule: decision.rule, source: decision.source, label: `${decision.source}: ${decision.rule}`, reason: why };
    ctx.decision = refused;
    return refused;
  }

  private session(sessionId: string): SessionTools {
    let cache = this.sessions.get(sessionId);
    if (!cache) {
      cache = { tools: new Map(), stale: true, generation: 0 };
      this.sessions.set(sessionId, cache);
    }
    return cache;
  }

  /**
   * Lists the session's tools through its own upstream (all pages, with request ids of our own);
   * concurrent calls share one listing. Undefined when the upstream does not answer with a list.
   */
  private listTools(sessionId: string, cache: SessionTools, next: Next): Promise<Map<string, ListedTool>> {
    const generation = cache.generation;
    const listing = (async () => {
      const tools = new Map<string, ListedTool>();
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const response = await next({ jsonrpc: '2.0', id: `switchboard:tools-list:${++this.listings}`, method: 'tools/list', params: cursor === undefined ? {} : { cursor } });
        const result = 'result' in response ? response.result as { tools?: unknown; nextCursor?: unknown } : undefined;
        if (!result || !Array.isArray(result.tools)) {
          throw new Error('error' in response ? `tools/list failed: ${response.error.message}` : 'tools/list returned no tools');
        }
        for (const tool of result.tools as ListedTool[]) tools.set(tool.name, tool);
        cursor = typeof result.nextCursor === 'string' && result.nextCursor !== '' ? result.nextCursor : undefined;
        if (cursor === undefined) break;
      }
      // The session may have closed meanwhile; then there is nothing to cache.
      if (this.sessions.get(sessionId) === cache) {
        cache.tools = tools;
        if (cache.generation === generation) cache.stale = false;
      }
      return tools;
    })();
    const shared = listing.catch(() => undefined);
    cache.listing = shared;
    void shared.then(() => {
      if (cache.listing === shared) cache.listing = undefined;
    });
    return listing;
  }

  /**
   * The tool's definition as this session's upstream lists it: cached per session, listed
   * through the session (not the probe) when it has no list yet or a list_changed made it stale.
   * Undefined when the upstream's list does not have the tool; a failure when it cannot be listed.
   */
  private async toolDefinition(sessionId: string, name: string, next: Next): Promise<ListedTool | ListingFailure | undefined> {
    const cache = this.session(sessionId);
    if (!cache.stale) return cache.tools.get(name);
    try {
      // Concurrent calls share one listing; one that failed for its own call's reasons (that call
      // was cancelled) does not decide this one: it lists for itself.
      const tools = (cache.listing ? await cache.listing : undefined) ?? await this.listTools(sessionId, cache, next);
      return tools.get(name);
    } catch (error) {
      return new ListingFailure((error as Error).message);
    }
  }
}

function params(request: JSONRPCRequest): Record<string, unknown> & { arguments?: unknown } {
  return (request.params ?? {}) as Record<string, unknown>;
}

export function refusalText(decision: Decision & { label?: string }): string {
  const label = decision.label ?? `${decision.source}: ${decision.rule}`;
  return `Refused by MCP Switchboard policy (${label})${decision.reason ? `: ${decision.reason}` : ''}`;
}

function toolError(request: JSONRPCRequest, decision: Decision): RelayResponse {
  return { jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: refusalText(decision) }], isError: true, _meta: { [REFUSAL_META_KEY]: { rule: decision.rule, source: decision.source } } } };
}

function rpcError(request: JSONRPCRequest, decision: Decision): RelayResponse {
  return { jsonrpc: '2.0', id: request.id, error: { code: ProxyErrorCode.Denied, message: refusalText(decision), data: { rule: decision.rule, source: decision.source } } };
}
