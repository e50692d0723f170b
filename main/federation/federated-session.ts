// One client session over a profile: the client sees one MCP server whose tools, prompts and
// resources are those of the profile's servers. Each server is reached through a relay session
// of the hub of its own (UpstreamLeg), opened at the first request that needs it, so every call
// passes the same admission and interceptor chain (audit, policy, approvals, pinning) as on the
// server's own endpoint, per real server and tool. Requests routed to one server keep the
// client's JSON-RPC id (cancellation and progress pass through unchanged); requests to all
// servers (lists) use ids of their own; server→client requests get ids of this session.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type Prompt,
  type RequestId,
  type Resource,
  type ResourceTemplate,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Profile } from '../../shared/profiles.ts';
import type { Logger } from '../base/logger.ts';
import { errorResponse } from '../base/ndjson.ts';
import { messageBytes, noteWireSize } from '../base/wire-size.ts';
import { ProxyErrorCode, REFUSAL_META_KEY, type CallContext, type ClientTransportKind, type Interceptor, type RelayResponse, type SessionInfo } from '../relay/interceptor.ts';
import type { RelayHub } from '../relay/relay-hub.ts';
import { buildToolSurface, CALL_TOOL, FIND_TOOLS, LOAD_TOOLS, namespacedName, type SurfaceTool, type ToolSurface, type UpstreamTool } from '../profiles/tool-surface.ts';
import { findLimit, META_TOOL_NAMES, META_TOOLS, ToolSearch } from './deferred-tools.ts';
import { UpstreamLeg } from './upstream-leg.ts';

/** A profile with its servers resolved against the configuration. */
export interface ResolvedProfile {
  readonly profile: Profile;
  /** Ids of the configured servers the profile names, in order. */
  readonly servers: readonly string[];
  /** Entries that name no configured server, and why. */
  readonly missing: readonly { server: string; why: string }[];
}

export interface FederatedSessionOptions {
  readonly hub: RelayHub;
  readonly resolved: ResolvedProfile;
  readonly downstream: Transport;
  readonly transport: ClientTransportKind;
  readonly clientLabel: string;
  readonly sessionId: string;
  /** Pass relatedRequestId on server→client messages (Streamable HTTP downstream). */
  readonly relateMessages: boolean;
  readonly logger: Logger;
  readonly version: string;
  /** Calls per "<server>/<tool>" of this client, for a profile's `mostUsed`. */
  readonly usage?: () => ReadonlyMap<string, number>;
  /** Changes (by identity) when what the chain shows of a server's tools may change (a new policy): the session lists again. */
  readonly listEpoch?: () => unknown;
  readonly onClosed?: () => void;
  /**
   * The audit link of the chain: a call to a tool the profile excludes never reaches a server
   * session, so it passes this link alone, with the profile's decision, and is recorded as a denial.
   */
  readonly audit?: Interceptor;
}

/** `_meta` key of tools/list (and the other lists) naming the profile and its servers that are not available. */
export const PROFILE_META_KEY = 'switchboard.mcp/profile';

const MAX_PAGES = 100;
/** A server's tool list is listed again after this long even without list_changed (pins, approvals). */
const TOOL_LIST_TTL_MS = 30_000;
const RESOURCE_NOT_FOUND = -32002;

interface Routed { readonly leg: UpstreamLeg; readonly progressToken: string | number | undefined }

export class FederatedSession {
  readonly sessionId: string;
  readonly profile: Profile;
  private readonly options: FederatedSessionOptions;
  private readonly downstream: Transport;
  private readonly logger: Logger;
  private readonly legs = new Map<string, UpstreamLeg>();
  private readonly opening = new Map<string, Promise<UpstreamLeg>>();
  private initializeParams: Record<string, unknown> = { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'unknown', version: '' } };
  private logLevel: string | undefined;
  private surface: ToolSurface | undefined;
  /** The servers the surface was built from. */
  private surfaceServers = '';
  /** Each server's tools as its chain listed them, kept until it says they changed (list_changed), the epoch moves or they age. */
  private readonly toolLists = new Map<string, { epoch: unknown; at: number; tools: UpstreamTool[] }>();
  private search: ToolSearch | undefined;
  private readonly loaded = new Set<string>();
  private prompts: Map<string, { serverId: string; name: string }> | undefined;
  private readonly resourceOwners = new Map<string, string>();
  private templates: Array<{ serverId: string; uriTemplate: string }> = [];
  /** Client requests forwarded to one server, by the client's id. */
  private readonly routed = new Map<RequestId, Routed>();
  /** Client requests not answered yet, and the cancels that came for them before they were routed. */
  private readonly unanswered = new Set<RequestId>();
  private readonly cancelledEarly = new Map<RequestId, JSONRPCNotification>();
  private readonly progressOwners = new Map<string | number, RequestId>();
  /** Server→client requests, by the id the client sees. */
  private readonly serverRequests = new Map<RequestId, { leg: UpstreamLeg; id: RequestId }>();
  private nextId = 0;
  private closing = false;

  constructor(options: FederatedSessionOptions) {
    this.options = options;
    this.sessionId = options.sessionId;
    this.profile = options.resolved.profile;
    this.downstream = options.downstream;
    this.logger = options.logger;
  }

  get inflightCount(): number {
    return this.routed.size;
  }

  get closed(): boolean {
    return this.closing;
  }

  /** The servers opened so far (tests and status). */
  openServers(): string[] {
    return [...this.legs.values()].filter((leg) => leg.ready).map((leg) => leg.serverId);
  }

  async start(): Promise<void> {
    this.downstream.onmessage = (message) => this.fromClient(message);
    this.downstream.onclose = () => void this.close();
    this.downstream.onerror = (error) => this.logger.debug('client transport error', { session: this.sessionId, error: error.message });
    await this.downstream.start();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.allSettled([...this.legs.values()].map((leg) => leg.close()));
    await this.downstream.close().catch(() => undefined);
    this.options.onClosed?.();
  }

  // ── client → servers ───────────────────────────────────────────────────────────────────

  private fromClient(message: JSONRPCMessage): void {
    if ('method' in message) {
      if ('id' in message && message.id !== undefined) {
        const request = message as JSONRPCRequest;
        this.unanswered.add(request.id);
        this.handle(request).then((response) => this.sendDown(response), (error: unknown) => {
          this.logger.error('federated request failed', { session: this.sessionId, method: request.method, error });
          this.sendDown(errorResponse(request.id, ProxyErrorCode.FailClosed, `switchboard could not process ${request.method} for profile '${this.profile.name}': ${(error as Error).message}`));
        }).finally(() => {
          this.unanswered.delete(request.id);
          this.cancelledEarly.delete(request.id);
        });
      } else {
        this.fromClientNotification(message as JSONRPCNotification);
      }
      return;
    }
    // The client's answer to a server's request (sampling, elicitation, roots).
    const id = (message as { id?: RequestId }).id;
    const origin = id === undefined ? undefined : this.serverRequests.get(id);
    if (!origin) return;
    this.serverRequests.delete(id!);
    origin.leg.notify({ ...message, id: origin.id } as JSONRPCMessage);
  }

  private fromClientNotification(notification: JSONRPCNotification): void {
    if (notification.method === 'notifications/cancelled') {
      const requestId = (notification.params as { requestId?: RequestId } | undefined)?.requestId;
      const target = requestId === undefined ? undefined : this.routed.get(requestId);
      if (target) target.leg.notify(notification);
      // Not routed yet (its server still opening): the cancel follows the call when it is.
      else if (requestId !== undefined && this.unanswered.has(requestId)) this.cancelledEarly.set(requestId, notification);
    } else if (notification.method === 'notifications/roots/list_changed') {
      for (const leg of this.legs.values()) if (leg.ready) leg.notify(notification);
    }
  }

  private async handle(request: JSONRPCRequest): Promise<RelayResponse> {
    const params = (request.params ?? {}) as Record<string, unknown>;
    switch (request.method) {
      case 'initialize':
        return this.initialize(request, params);
      case 'ping':
        return result(request.id, {});
      case 'tools/list':
        return this.listTools(request);
      case 'tools/call':
        return this.callTool(request, String(params.name ?? ''), params.arguments);
      case 'prompts/list':
        return this.listPrompts(request);
      case 'prompts/get':
        return this.getPrompt(request, params);
      case 'resources/list':
        return this.listResources(request);
      case 'resources/templates/list':
        return this.listTemplates(request);
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        return this.resourceRequest(request, String(params.uri ?? ''));
      case 'completion/complete':
        return this.complete(request, params);
      case 'logging/setLevel':
        return this.setLevel(request, params);
      default:
        return errorResponse(request.id, -32601, `Method not found: ${request.method} (profile '${this.profile.name}')`);
    }
  }

  private initialize(request: JSONRPCRequest, params: Record<string, unknown>): RelayResponse {
    this.initializeParams = params;
    const asked = typeof params.protocolVersion === 'string' ? params.protocolVersion : LATEST_PROTOCOL_VERSION;
    // The servers open lazily, so the session offers every capability it can route; a request a
    // server lacks the capability for skips that server.
    return result(request.id, {
      protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION,
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        completions: {},
        logging: {},
      },
      serverInfo: { name: `switchboard-profile-${this.profile.name}`, version: this.options.version },
      ...(this.profile.description ? { instructions: this.profile.description } : {}),
    });
  }

  // ── servers ────────────────────────────────────────────────────────────────────────────

  private leg(serverId: string): Promise<UpstreamLeg> {
    const open = this.opening.get(serverId);
    if (open) return open;
    const leg = new UpstreamLeg(serverId, (from, message) => this.fromServer(from, message));
    this.legs.set(serverId, leg);
    const opened = leg.open({
      hub: this.options.hub,
      serverId,
      sessionId: `${this.sessionId}/${serverId}`,
      profile: this.profile.name,
      transport: this.options.transport,
      clientLabel: this.options.clientLabel,
      initialize: this.initializeParams,
    }).then(async () => {
      if (leg.failure !== undefined) this.logger.warn('a server of the profile is not available', { profile: this.profile.name, server: serverId, why: leg.failure });
      else if (this.logLevel !== undefined && leg.capabilities.logging) await leg.request({ jsonrpc: '2.0', id: this.internalId(), method: 'logging/setLevel', params: { level: this.logLevel } });
      return leg;
    });
    this.opening.set(serverId, opened);
    return opened;
  }

  /** Opens every server of the profile (at most once each); the ones that work. */
  private async openAll(): Promise<UpstreamLeg[]> {
    const legs = await Promise.all(this.options.resolved.servers.map((id) => this.leg(id)));
    return legs.filter((leg) => leg.ready);
  }

  private internalId(): string {
    return `switchboard:federation:${++this.nextId}`;
  }

  /** Every page of a list from one server; a server that fails adds nothing. */
  private async listAll<T>(leg: UpstreamLeg, method: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await leg.request({ jsonrpc: '2.0', id: this.internalId(), method, params: cursor ? { cursor } : {} });
      if ('error' in answer) {
        this.logger.debug('a server of the profile failed a list', { profile: this.profile.name, server: leg.serverId, method, error: answer.error.message });
        break;
      }
      const page_ = answer.result as Record<string, unknown>;
      items.push(...((page_[key] as T[] | undefined) ?? []));
      cursor = typeof page_.nextCursor === 'string' ? page_.nextCursor : undefined;
      if (!cursor) break;
    }
    return items;
  }

  /** Forwards a request to one server under the client's id; cancellation and progress follow it. */
  private async forward(leg: UpstreamLeg, request: JSONRPCRequest): Promise<RelayResponse> {
    const token = (request.params as { _meta?: { progressToken?: string | number } } | undefined)?._meta?.progressToken;
    this.routed.set(request.id, { leg, progressToken: token });
    if (token !== undefined) this.progressOwners.set(token, request.id);
    try {
      const answer = leg.request(request);
      // A call cancelled before it was routed still goes through the server's chain, which records
      // it as cancelled by the client, and the cancel goes right after it.
      const cancel = this.cancelledEarly.get(request.id);
      if (cancel) leg.notify(cancel);
      return await answer;
    } finally {
      this.routed.delete(request.id);
      if (token !== undefined) this.progressOwners.delete(token);
    }
  }

  private unavailable(): Array<{ server: string; why: string }> {
    const down = [...this.options.resolved.missing];
    for (const leg of this.legs.values()) if (leg.failure !== undefined) down.push({ server: leg.serverId, why: leg.failure });
    return down;
  }

  private listMeta(): Record<string, unknown> {
    const unavailable = this.unavailable();
    return { [PROFILE_META_KEY]: { profile: this.profile.name, ...(unavailable.length > 0 ? { unavailable } : {}) } };
  }

  // ── tools ──────────────────────────────────────────────────────────────────────────────

  private async refreshSurface(): Promise<ToolSurface> {
    const legs = await this.openAll();
    const epoch = this.options.listEpoch?.();
    let fresh = false;
    const lists = await Promise.all(legs.filter((leg) => leg.capabilities.tools).map(async (leg) => {
      const kept = this.toolLists.get(leg.serverId);
      if (kept && kept.epoch === epoch && Date.now() - kept.at < TOOL_LIST_TTL_MS) return kept.tools;
      fresh = true;
      const at = Date.now();
      const tools = (await this.listAll<Tool>(leg, 'tools/list', 'tools')).map((tool): UpstreamTool => ({ serverId: leg.serverId, tool }));
      // Kept only when the server is still fine (a failed list is not an empty one).
      if (leg.ready) this.toolLists.set(leg.serverId, { epoch, at, tools });
      return tools;
    }));
    const servers = legs.map((leg) => leg.serverId).join('\n');
    if (!fresh && this.surface !== undefined && servers === this.surfaceServers) return this.surface;
    this.surfaceServers = servers;
    const tools = lists.flat();
    const surface = buildToolSurface(this.surfaceProfile(tools), tools, this.options.usage ? { usage: this.options.usage() } : {});
    this.surface = surface;
    if (this.search?.surface !== surface) this.search = undefined;
    return surface;
  }

  /**
   * A profile of one server keeps the server's own names (nothing can collide): its endpoint is
   * that server's, narrowed. With more servers names are namespaced unless the profile renames.
   */
  private surfaceProfile(tools: readonly UpstreamTool[]): Profile {
    if (!this.singleServer) return this.profile;
    // The profile's own entries first: their order ranks tools under the cap.
    const named: NonNullable<Profile['tools']> = {};
    for (const [key, setting] of Object.entries(this.profile.tools ?? {})) named[key] = { name: key.slice(key.indexOf('/') + 1), ...setting };
    for (const { serverId, tool } of tools) named[`${serverId}/${tool.name}`] ??= { name: tool.name };
    return { ...this.profile, tools: named };
  }

  private get singleServer(): boolean {
    return this.options.resolved.servers.length === 1 && this.options.resolved.missing.length === 0;
  }

  private exposedName(serverId: string, name: string): string {
    return this.singleServer ? name : namespacedName(serverId, name, this.profile.separator ?? '__');
  }

  private visible(tool: SurfaceTool): boolean {
    return tool.visibility === 'visible' || this.loaded.has(tool.exposedName);
  }

  private async listTools(request: JSONRPCRequest): Promise<RelayResponse> {
    const surface = await this.refreshSurface();
    const tools: Tool[] = [];
    let deferred = false;
    for (const tool of surface.tools) {
      if (this.visible(tool)) tools.push(tool.tool);
      if (tool.visibility === 'deferred') deferred = true;
    }
    if (deferred) tools.push(...META_TOOLS);
    return result(request.id, { tools, _meta: this.listMeta() });
  }

  private async callTool(request: JSONRPCRequest, name: string, args: unknown): Promise<RelayResponse> {
    if (META_TOOL_NAMES.has(name)) return this.callMetaTool(request, name, (args ?? {}) as Record<string, unknown>);
    const tool = this.surface?.byExposedName.get(name) ?? (await this.refreshSurface()).byExposedName.get(name);
    if (!tool) return this.refuseTool(request, name);
    // The hot path: a server already open is used without waiting for its opening promise again.
    const open = this.legs.get(tool.serverId);
    const leg = open?.ready ? open : await this.leg(tool.serverId);
    const forwarded: JSONRPCRequest = { ...request, params: { ...(request.params as Record<string, unknown>), name: tool.toolName } };
    // The audit records the size the client sent, not a re-serialisation of the renamed request.
    noteWireSize(forwarded, messageBytes(request));
    return this.forward(leg, forwarded);
  }

  private refuseTool(request: JSONRPCRequest, name: string): Promise<RelayResponse> | RelayResponse {
    const surface = this.surface;
    const excluded = surface?.excluded.find((entry) => this.exposedName(entry.serverId, entry.toolName) === name);
    const text = excluded
      ? `the tool '${excluded.serverId}/${excluded.toolName}' is excluded by profile '${this.profile.name}': this client cannot call it`
      : `profile '${this.profile.name}' has no tool named '${name}'; list the tools again (tools/list) or search with ${FIND_TOOLS}`;
    const refusal = result(request.id, {
      content: [{ type: 'text', text }],
      isError: true,
      _meta: { [REFUSAL_META_KEY]: { rule: `profile ${this.profile.name}`, source: 'profile' } },
    });
    // A name the profile does not have is the client's mistake; an excluded tool is a decision.
    if (!excluded || !this.options.audit) return refusal;
    const clientInfo = this.initializeParams.clientInfo as { name?: unknown; version?: unknown } | undefined;
    const session: SessionInfo = {
      sessionId: this.sessionId,
      serverId: excluded.serverId,
      transport: this.options.transport,
      clientLabel: this.options.clientLabel,
      profile: this.profile.name,
      ...(typeof clientInfo?.name === 'string' ? { client: { name: clientInfo.name, version: typeof clientInfo.version === 'string' ? clientInfo.version : '' } } : {}),
    };
    const ctx: CallContext = {
      session,
      request: { ...request, params: { ...(request.params as Record<string, unknown>), name: excluded.toolName } },
      signal: new AbortController().signal,
      startedAt: Date.now(),
      decision: { action: 'deny', rule: `profile ${this.profile.name}`, source: 'profile', reason: text },
    };
    return this.options.audit.handle(ctx, () => Promise.resolve(refusal));
  }

  private async callMetaTool(request: JSONRPCRequest, name: string, args: Record<string, unknown>): Promise<RelayResponse> {
    if (name === CALL_TOOL) {
      if (typeof args.name !== 'string' || args.name === '' || META_TOOL_NAMES.has(args.name)) return toolError(request.id, `${CALL_TOOL} needs "name": the name of a tool of profile '${this.profile.name}' (as ${FIND_TOOLS} returns it)`);
      const inner = args.arguments === undefined ? {} : args.arguments;
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return toolError(request.id, `${CALL_TOOL}: "arguments" must be an object`);
      const params = { ...(request.params as Record<string, unknown>), name: args.name, arguments: inner };
      return this.callTool({ ...request, params }, args.name, inner);
    }
    const surface = this.surface ?? await this.refreshSurface();
    if (name === FIND_TOOLS) {
      if (typeof args.query !== 'string' || args.query.trim() === '') return toolError(request.id, `${FIND_TOOLS} needs "query": words to look for in tool names and descriptions`);
      this.search ??= new ToolSearch(surface);
      const found = this.search.find(args.query, findLimit(args.limit), (tool) => this.visible(tool));
      const text = found.length === 0
        ? `no tool of profile '${this.profile.name}' matches "${args.query}"`
        : found.map((tool) => `${tool.name}${tool.loaded ? ' (loaded)' : ''}: ${tool.description}`).join('\n');
      return result(request.id, { content: [{ type: 'text', text }], structuredContent: { tools: found } });
    }
    // load_tools
    const names = Array.isArray(args.names) ? args.names.filter((value): value is string => typeof value === 'string') : [];
    if (names.length === 0) return toolError(request.id, `${LOAD_TOOLS} needs "names": tool names as ${FIND_TOOLS} returns them`);
    const unknown = names.filter((tool) => !surface.byExposedName.has(tool));
    if (unknown.length > 0) return toolError(request.id, `profile '${this.profile.name}' has no tool named ${unknown.map((tool) => `'${tool}'`).join(', ')}; nothing was loaded`);
    const added = names.filter((tool) => !this.visible(surface.byExposedName.get(tool)!));
    for (const tool of added) this.loaded.add(tool);
    if (added.length > 0) this.sendDown({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    return result(request.id, {
      content: [{ type: 'text', text: added.length > 0 ? `loaded ${added.join(', ')}; they are in tools/list now` : 'those tools were visible already' }],
      structuredContent: { loaded: added },
    });
  }

  // ── prompts ────────────────────────────────────────────────────────────────────────────

  private async refreshPrompts(): Promise<Prompt[]> {
    const legs = await this.openAll();
    const table = new Map<string, { serverId: string; name: string }>();
    const lists = await Promise.all(legs.filter((leg) => leg.capabilities.prompts).map(async (leg) => {
      const prompts = await this.listAll<Prompt>(leg, 'prompts/list', 'prompts');
      return prompts.map((prompt) => {
        const exposed = this.exposedName(leg.serverId, prompt.name);
        table.set(exposed, { serverId: leg.serverId, name: prompt.name });
        return { ...prompt, name: exposed };
      });
    }));
    this.prompts = table;
    return lists.flat();
  }

  private async listPrompts(request: JSONRPCRequest): Promise<RelayResponse> {
    return result(request.id, { prompts: await this.refreshPrompts(), _meta: this.listMeta() });
  }

  private async promptOwner(name: string): Promise<{ serverId: string; name: string } | undefined> {
    const known = this.prompts?.get(name);
    if (known) return known;
    await this.refreshPrompts();
    return this.prompts?.get(name);
  }

  private async getPrompt(request: JSONRPCRequest, params: Record<string, unknown>): Promise<RelayResponse> {
    const owner = await this.promptOwner(String(params.name ?? ''));
    if (!owner) return errorResponse(request.id, -32602, `profile '${this.profile.name}' has no prompt named '${String(params.name ?? '')}'`);
    return this.forward(await this.leg(owner.serverId), { ...request, params: { ...params, name: owner.name } });
  }

  // ── resources ──────────────────────────────────────────────────────────────────────────

  private async listResources(request: JSONRPCRequest): Promise<RelayResponse> {
    const legs = await this.openAll();
    const lists = await Promise.all(legs.filter((leg) => leg.capabilities.resources).map(async (leg) => {
      const resources = await this.listAll<Resource>(leg, 'resources/list', 'resources');
      for (const resource of resources) if (!this.resourceOwners.has(resource.uri)) this.resourceOwners.set(resource.uri, leg.serverId);
      return resources;
    }));
    return result(request.id, { resources: lists.flat(), _meta: this.listMeta() });
  }

  private async refreshTemplates(): Promise<ResourceTemplate[]> {
    const legs = await this.openAll();
    const lists = await Promise.all(legs.filter((leg) => leg.capabilities.resources).map(async (leg) => {
      const templates = await this.listAll<ResourceTemplate>(leg, 'resources/templates/list', 'resourceTemplates');
      return templates.map((template) => ({ serverId: leg.serverId, template }));
    }));
    this.templates = lists.flat().map(({ serverId, template }) => ({ serverId, uriTemplate: template.uriTemplate }));
    return lists.flat().map(({ template }) => template);
  }

  private async listTemplates(request: JSONRPCRequest): Promise<RelayResponse> {
    return result(request.id, { resourceTemplates: await this.refreshTemplates(), _meta: this.listMeta() });
  }

  /** The server a URI belongs to: listed by it, or under one of its templates (longest literal prefix). */
  private ownerOf(uri: string): string | undefined {
    const listed = this.resourceOwners.get(uri);
    if (listed !== undefined) return listed;
    let best: { serverId: string; length: number } | undefined;
    for (const template of this.templates) {
      if (template.uriTemplate === uri) return template.serverId;
      const prefix = template.uriTemplate.split('{')[0]!;
      if (prefix !== '' && uri.startsWith(prefix) && (!best || prefix.length > best.length)) best = { serverId: template.serverId, length: prefix.length };
    }
    return best?.serverId;
  }

  private async resourceOwner(uri: string): Promise<string | undefined> {
    const known = this.ownerOf(uri);
    if (known !== undefined) return known;
    await Promise.all([this.listResources({ jsonrpc: '2.0', id: this.internalId(), method: 'resources/list' }), this.refreshTemplates()]);
    return this.ownerOf(uri);
  }

  private async resourceRequest(request: JSONRPCRequest, uri: string): Promise<RelayResponse> {
    const owner = await this.resourceOwner(uri);
    if (owner === undefined) return errorResponse(request.id, RESOURCE_NOT_FOUND, `Resource not found: no server of profile '${this.profile.name}' has ${uri}`, { uri });
    return this.forward(await this.leg(owner), request);
  }

  // ── completions, logging ───────────────────────────────────────────────────────────────

  private async complete(request: JSONRPCRequest, params: Record<string, unknown>): Promise<RelayResponse> {
    const ref = (params.ref ?? {}) as { type?: string; name?: string; uri?: string };
    if (ref.type === 'ref/prompt') {
      const owner = await this.promptOwner(String(ref.name ?? ''));
      if (!owner) return errorResponse(request.id, -32602, `profile '${this.profile.name}' has no prompt named '${String(ref.name ?? '')}'`);
      return this.forward(await this.leg(owner.serverId), { ...request, params: { ...params, ref: { ...ref, name: owner.name } } });
    }
    if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
      const owner = await this.resourceOwner(ref.uri);
      if (owner === undefined) return errorResponse(request.id, -32602, `no server of profile '${this.profile.name}' has the resource template ${ref.uri}`);
      return this.forward(await this.leg(owner), request);
    }
    return errorResponse(request.id, -32602, 'completion/complete needs a ref of type "ref/prompt" or "ref/resource"');
  }

  private async setLevel(request: JSONRPCRequest, params: Record<string, unknown>): Promise<RelayResponse> {
    this.logLevel = String(params.level ?? '');
    const legs = [...this.legs.values()].filter((leg) => leg.ready && leg.capabilities.logging);
    await Promise.all(legs.map((leg) => leg.request({ jsonrpc: '2.0', id: this.internalId(), method: 'logging/setLevel', params })));
    return result(request.id, {});
  }

  // ── servers → client ───────────────────────────────────────────────────────────────────

  private fromServer(leg: UpstreamLeg, message: JSONRPCRequest | JSONRPCNotification): void {
    if ('id' in message && message.id !== undefined) {
      if (message.method === 'ping') {
        leg.notify({ jsonrpc: '2.0', id: message.id, result: {} });
        return;
      }
      const id = `switchboard:${leg.serverId}:${++this.nextId}`;
      this.serverRequests.set(id, { leg, id: message.id });
      this.sendDown({ ...message, id }, this.latestOf(leg));
      return;
    }
    const notification = message as JSONRPCNotification;
    switch (notification.method) {
      case 'notifications/tools/list_changed':
        this.surface = undefined;
        this.toolLists.delete(leg.serverId);
        break;
      case 'notifications/prompts/list_changed':
        this.prompts = undefined;
        break;
      case 'notifications/cancelled': {
        const params = notification.params as { requestId?: RequestId; reason?: string } | undefined;
        for (const [id, origin] of this.serverRequests) {
          if (origin.leg === leg && origin.id === params?.requestId) {
            this.serverRequests.delete(id);
            this.sendDown({ ...notification, params: { ...params, requestId: id } });
          }
        }
        return;
      }
      case 'notifications/progress': {
        const token = (notification.params as { progressToken?: string | number } | undefined)?.progressToken;
        this.sendDown(notification, token === undefined ? undefined : this.progressOwners.get(token));
        return;
      }
    }
    this.sendDown(notification, this.latestOf(leg));
  }

  /** The client request of this server answered last (to send a server's message on its stream). */
  private latestOf(leg: UpstreamLeg): RequestId | undefined {
    if (!this.options.relateMessages) return undefined;
    let latest: RequestId | undefined;
    for (const [id, routed] of this.routed) if (routed.leg === leg) latest = id;
    return latest;
  }

  private sendDown(message: JSONRPCMessage, relatedRequestId?: RequestId): void {
    if (this.closing) return;
    const related = this.options.relateMessages ? relatedRequestId : undefined;
    const sent = related === undefined ? this.downstream.send(message) : this.downstream.send(message, { relatedRequestId: related });
    sent.catch((error: Error) => {
      if (related !== undefined && !this.closing) {
        this.downstream.send(message).catch((again: Error) => this.logger.debug('could not deliver to client', { error: again.message }));
        return;
      }
      this.logger.debug('could not deliver to client', { session: this.sessionId, error: error.message });
    });
  }
}

function result(id: RequestId, value: Record<string, unknown>): RelayResponse {
  return { jsonrpc: '2.0', id, result: value };
}

function toolError(id: RequestId, text: string): RelayResponse {
  return result(id, { content: [{ type: 'text', text }], isError: true });
}
