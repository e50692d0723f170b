// The policy link of the relay chain: refuses calls to servers policy does not admit, hides
// denied tools from tools/list, pins tool definitions, and decides tools/call, resources/read
// and prompts/get (deny → refusal naming rule and source, ask → the approval broker, allow →
// next). The decision and approver go on the CallContext for the audit interceptor outside.
import { randomUUID } from 'node:crypto';
import type { JSONRPCNotification, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../../shared/config.ts';
import type { ApprovalAnswer, ApprovalBroker, ApprovalKind } from '../approvals/broker.ts';
import { ProxyErrorCode, type CallContext, type Decision, type Interceptor, type Next, type RelayResponse, type SessionInfo } from '../relay/interceptor.ts';
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
  /** Definition of a tool this session has not listed (or listed before a list_changed), e.g. from the daemon's probe session. */
  readonly lookupTool?: (serverId: string, tool: string) => Promise<ListedTool | undefined>;
}

interface SessionTools {
  readonly tools: Map<string, ListedTool>;
  stale: boolean;
}

const ANSWER_FOR: Record<string, ApprovalAnswer> = { once: 'allow-once', session: 'allow-session', always: 'always-allow' };

export class PolicyInterceptor implements Interceptor {
  readonly name = 'policy';
  readonly methods: ReadonlySet<string> = new Set(['tools/list', 'tools/call', 'resources/read', 'prompts/get']);
  private readonly deps: PolicyInterceptorDeps;
  private readonly sessions = new Map<string, SessionTools>();
  /** Definition objects already found equal to their pin: skips re-hashing on every call. */
  private readonly verified = new WeakSet<ListedTool>();

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
      if (cache) cache.stale = true;
    }
    return notification;
  }

  onSessionClosed(session: SessionInfo): void {
    this.sessions.delete(session.sessionId);
    this.deps.broker.closeSession(session.sessionId);
  }

  /** Tools/list after policy: what the relay would show a client (also for the UI's probe session). */
  visibleTools(engine: PolicyEngine, serverId: string, tools: readonly ListedTool[]): ListedTool[] {
    const onChange = engine.pinningOnChange();
    return tools.filter((tool) => {
      if (engine.evaluate({ serverId, name: tool.name, annotations: tool.annotations }).action === 'deny') return false;
      const pin = this.deps.pins.observe(serverId, tool);
      if (pin.status !== 'changed') {
        this.verified.add(tool);
        return true;
      }
      if (onChange === 'allow') {
        this.deps.pins.accept(serverId, tool.name);
        this.verified.add(tool);
        return true;
      }
      return onChange !== 'deny';
    });
  }

  private admission(engine: PolicyEngine, serverId: string): PolicyDecision | undefined {
    const server = this.deps.serverConfig(serverId);
    if (!server) return { action: 'deny', rule: 'unknown server', source: 'default', label: 'default: unknown server', reason: `server "${serverId}" is not configured` };
    const admission = engine.admitServer(server);
    if (admission.ok) return undefined;
    return { action: 'deny', rule: admission.rule, source: admission.source, label: `${admission.source}: ${admission.rule}`, reason: admission.reason };
  }

  private async list(ctx: CallContext, engine: PolicyEngine, next: Next): Promise<RelayResponse> {
    const response = await next(ctx.request);
    if (!('result' in response) || !Array.isArray((response.result as { tools?: unknown }).tools)) return response;
    const tools = (response.result as { tools: ListedTool[] }).tools;
    const paged = params(ctx.request).cursor !== undefined;
    const cache = this.sessions.get(ctx.session.sessionId);
    const map = paged && cache ? cache.tools : new Map<string, ListedTool>();
    for (const tool of tools) map.set(tool.name, tool);
    this.sessions.set(ctx.session.sessionId, { tools: map, stale: false });
    const visible = this.visibleTools(engine, ctx.session.serverId, tools);
    return { ...response, result: { ...response.result, tools: visible } };
  }

  private async call(ctx: CallContext, engine: PolicyEngine, next: Next): Promise<RelayResponse> {
    const { serverId, sessionId } = ctx.session;
    const name = String(params(ctx.request).name ?? '');
    const args = params(ctx.request).arguments ?? {};
    const tool = await this.toolDefinition(serverId, sessionId, name, next);
    const decision = engine.evaluate({ serverId, name, annotations: tool?.annotations, arguments: args });
    if (decision.action === 'deny') {
      ctx.decision = decision;
      return toolError(ctx.request, decision);
    }

    if (tool && !this.verified.has(tool)) {
      const pin = this.deps.pins.observe(serverId, tool);
      if (pin.status !== 'changed') this.verified.add(tool);
      else {
        const refused = await this.pinningGate(ctx, engine, pin.change, args);
        if (refused) return toolError(ctx.request, refused);
      }
    }

    if (decision.action === 'ask') {
      const refused = await this.ask(ctx, engine, 'policy', decision, name, args);
      if (refused) return toolError(ctx.request, refused);
      return next(ctx.request);
    }
    ctx.decision = decision;
    return next(ctx.request);
  }

  private async decideOther(ctx: CallContext, engine: PolicyEngine, next: Next, kind: TargetKind, name: string, args: unknown = {}): Promise<RelayResponse> {
    const decision = engine.evaluate({ kind, serverId: ctx.session.serverId, name, arguments: args });
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
      return undefined;
    }
    // "Always allow" adds a user rule, which cannot loosen a managed or org ask, so it is not offered there.
    const choices = engine.rememberChoices().map((c) => ANSWER_FOR[c]!)
      .filter((c) => c !== 'always-allow' || kind === 'pinning' || decision.source === 'user' || decision.source === 'default');
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
    ctx.approver = outcome.approver;
    if (outcome.approved) {
      ctx.decision = decision;
      return undefined;
    }
    const why = outcome.answer === 'timeout' ? 'no answer before the approval timed out' : outcome.answer === 'withdrawn' ? 'the call was cancelled while waiting for approval' : 'the user denied it';
    const refused: Decision & { label: string } = { action: 'deny', rule: decision.rule, source: decision.source, label: `${decision.source}: ${decision.rule}`, reason: why };
    ctx.decision = refused;
    return refused;
  }

  /** Lists the session's tools again through its own upstream (all pages); undefined when that fails. */
  private async relist(sessionId: string, next: Next): Promise<Map<string, ListedTool> | undefined> {
    const tools = new Map<string, ListedTool>();
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const response = await next({ jsonrpc: '2.0', id: `switchboard-relist-${randomUUID()}`, method: 'tools/list', params: cursor === undefined ? {} : { cursor } });
      const result = 'result' in response ? response.result as { tools?: unknown; nextCursor?: unknown } : undefined;
      if (!result || !Array.isArray(result.tools)) return undefined;
      for (const tool of result.tools as ListedTool[]) tools.set(tool.name, tool);
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
      if (cursor === undefined) break;
    }
    this.sessions.set(sessionId, { tools, stale: false });
    return tools;
  }

  private async toolDefinition(serverId: string, sessionId: string, name: string, next: Next): Promise<ListedTool | undefined> {
    const cache = this.sessions.get(sessionId);
    const cached = cache?.tools.get(name);
    if (cached && !cache!.stale) return cached;
    if (cache?.stale) {
      // The list_changed came from this session's own server: ask it, not the daemon's probe
      // session (for a stdio server that is another process, still showing the old definition).
      const fresh = await this.relist(sessionId, next);
      if (fresh) return fresh.get(name);
    }
    if (this.deps.lookupTool) {
      try {
        const fresh = await this.deps.lookupTool(serverId, name);
        if (fresh) {
          // Remembered for this session (until a list_changed), so a client that never lists
          // tools does not cost a probe round trip on every call.
          const tools = cache?.tools ?? new Map<string, ListedTool>();
          tools.set(name, fresh);
          if (!cache) this.sessions.set(sessionId, { tools, stale: false });
          return fresh;
        }
      } catch {
        // The probe session failing must not make calls fail open: fall back to what we saw.
      }
    }
    return cached;
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
  return { jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: refusalText(decision) }], isError: true } };
}

function rpcError(request: JSONRPCRequest, decision: Decision): RelayResponse {
  return { jsonrpc: '2.0', id: request.id, error: { code: ProxyErrorCode.Denied, message: refusalText(decision), data: { rule: decision.rule, source: decision.source } } };
}
