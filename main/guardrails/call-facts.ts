// What a guardrail leaves on the call for the audit record, and the refusal a client sees. Both
// name rules and detectors, never a matched value.
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { REFUSAL_META_KEY, type CallContext, type RelayResponse } from '../relay/interceptor.ts';

export const GUARDRAILS_SOURCE = 'guardrails';

export function noteGuardrail(ctx: CallContext, rule: string | undefined, detectors: Iterable<string> = [], flag?: string): void {
  const facts = (ctx.guardrails ??= { rules: [], detectors: [], flags: [] });
  if (rule !== undefined && !facts.rules.includes(rule)) facts.rules.push(rule);
  for (const d of detectors) if (!facts.detectors.includes(d)) facts.detectors.push(d);
  if (flag !== undefined && !facts.flags.includes(flag)) facts.flags.push(flag);
}

/** A tools/call refused by a guardrail: a tool error the model reads, marked like a policy refusal; ctx.decision names the rule. */
export function guardrailRefusal(ctx: CallContext, rule: string, reason: string): RelayResponse {
  ctx.decision = { action: 'deny', rule, source: GUARDRAILS_SOURCE, reason };
  return refusalResponse(ctx.request, rule, reason);
}

export function refusalResponse(request: JSONRPCRequest, rule: string, reason: string): RelayResponse {
  return {
    jsonrpc: '2.0',
    id: request.id,
    result: {
      content: [{ type: 'text', text: `Refused by MCP Switchboard guardrail (${rule}): ${reason}` }],
      isError: true,
      _meta: { [REFUSAL_META_KEY]: { rule, source: GUARDRAILS_SOURCE } },
    },
  };
}

export function describeFindings(findings: ReadonlyArray<{ detector: string; path: string }>, limit = 5): string {
  const shown = findings.slice(0, limit).map((f) => `${f.detector} at ${f.path}`).join(', ');
  return findings.length > limit ? `${shown} and ${findings.length - limit} more` : shown;
}

export function toolTarget(ctx: CallContext, request: JSONRPCRequest = ctx.forwarded ?? ctx.request): { tool: string; target: string } {
  const name = String((request.params as { name?: unknown } | undefined)?.name ?? '');
  return { tool: name, target: `${ctx.session.serverId}/${name}` };
}

/** The tool a tools/call names ('' when none). */
export function toolName(request: JSONRPCRequest): string {
  const name = (request.params as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : String(name ?? '');
}

/** The request this link was given (see CallContext.forwarded). */
export function currentRequest(ctx: CallContext): JSONRPCRequest {
  return ctx.forwarded ?? ctx.request;
}

/** Adds a text note the model reads to a tools/call result. */
export function withNote(response: RelayResponse, note: string, atStart = false): RelayResponse {
  if (!('result' in response)) return response;
  const result = response.result as { content?: unknown[] };
  const item = { type: 'text', text: note };
  const content = Array.isArray(result.content) ? (atStart ? [item, ...result.content] : [...result.content, item]) : [item];
  return { ...response, result: { ...response.result, content } };
}
