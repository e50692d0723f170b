// The lifecycle link of the relay chain, right after policy: a call to a server that is
// decommissioned (by policy, or because its sunset passed) or deleted from its registry is refused
// with a structured error naming the state, the rule and how to move (the active version, the
// replacement). A deprecated server's calls pass; the lifecycle goes on the CallContext either
// way so that the audit record carries it.
//
// Its own link rather than part of the policy decision: lifecycle is not an allow/deny/ask rule a
// user can answer or remember (an approval cannot revive a decommissioned server), it depends on
// the registry and the clock rather than on the call, and its refusal has its own error code and
// data. Placed after policy, a policy deny still decides first and names its own rule.
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ServerLifecycle } from '../../shared/lifecycle-policy.ts';
import { ProxyErrorCode, REFUSAL_META_KEY, type CallContext, type Decision, type Interceptor, type Next, type RelayResponse } from '../relay/interceptor.ts';

/** `_meta` key of a tools/call refusal with the lifecycle data (the same as the JSON-RPC error data). */
export const LIFECYCLE_META_KEY = 'switchboard.mcp/lifecycle';

export interface LifecycleInterceptorDeps {
  /** The server's lifecycle now (LifecycleService.of). */
  readonly lifecycle: (serverId: string) => ServerLifecycle | undefined;
}

export class LifecycleInterceptor implements Interceptor {
  readonly name = 'lifecycle';
  readonly methods: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);
  private readonly deps: LifecycleInterceptorDeps;

  constructor(deps: LifecycleInterceptorDeps) {
    this.deps = deps;
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const lifecycle = this.deps.lifecycle(ctx.session.serverId);
    if (lifecycle) ctx.lifecycle = lifecycle;
    if (!lifecycle?.refused) return next(ctx.request);
    const decision: Decision = { action: 'deny', rule: lifecycle.rule, source: lifecycle.source, reason: lifecycleReason(ctx.session.serverId, lifecycle) };
    ctx.decision = decision;
    return ctx.request.method === 'tools/call' ? toolError(ctx.request, decision, lifecycle) : rpcError(ctx.request, decision, lifecycle);
  }
}

/** Why the server's calls are refused, and how to move, in words a person and a model can act on. */
export function lifecycleReason(serverId: string, lifecycle: ServerLifecycle): string {
  const what = lifecycle.state === 'deleted'
    ? `server "${serverId}"${lifecycle.version ? ` version ${lifecycle.version}` : ''} was deleted from its registry`
    : `server "${serverId}"${lifecycle.version ? ` version ${lifecycle.version}` : ''} is decommissioned`;
  const parts = [what];
  if (lifecycle.message) parts.push(lifecycle.message);
  if (lifecycle.latestVersion && lifecycle.latestVersion !== lifecycle.version) parts.push(`the active version is ${lifecycle.latestVersion}`);
  if (lifecycle.howToMove) parts.push(`to move: ${lifecycle.howToMove}`);
  return parts.join('; ');
}

export function refusalData(lifecycle: ServerLifecycle): Record<string, unknown> {
  return { reason: 'lifecycle', ...lifecycle };
}

function label(decision: Decision): string {
  return `Refused by MCP Switchboard lifecycle (${decision.source}: ${decision.rule}): ${decision.reason ?? ''}`;
}

function toolError(request: JSONRPCRequest, decision: Decision, lifecycle: ServerLifecycle): RelayResponse {
  return {
    jsonrpc: '2.0',
    id: request.id,
    result: {
      content: [{ type: 'text', text: label(decision) }],
      isError: true,
      _meta: { [REFUSAL_META_KEY]: { rule: decision.rule, source: decision.source }, [LIFECYCLE_META_KEY]: refusalData(lifecycle) },
    },
  };
}

function rpcError(request: JSONRPCRequest, decision: Decision, lifecycle: ServerLifecycle): RelayResponse {
  return { jsonrpc: '2.0', id: request.id, error: { code: ProxyErrorCode.Decommissioned, message: label(decision), data: { rule: decision.rule, source: decision.source, ...refusalData(lifecycle) } } };
}
