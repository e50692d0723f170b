// Request validation: a tools/call's arguments are checked against the tool's inputSchema before
// they go upstream, and a result's structuredContent against its outputSchema, with ajv (the
// validator the MCP SDK itself uses). The schemas come from this session's own tools/list, which
// passes through here (the policy interceptor lists a session's tools before its first call);
// when the session has no list yet, this interceptor lists the tools itself through the session.
// A tool whose list cannot be had, or whose schema does not compile, cannot be checked: under
// enforce the call is refused (fail closed), under warn it passes and is flagged. A tool that is
// not in the list goes on (the server answers for its own unknown tool).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { PolicyEngine } from '../policy/engine.ts';
import type { CallContext, Interceptor, Next, RelayResponse, SessionInfo } from '../relay/interceptor.ts';
import type { JSONRPCNotification, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { currentRequest, guardrailRefusal, noteGuardrail, toolName } from './call-facts.ts';
import { GuardrailsPolicy, type Compiled } from './guardrails-policy.ts';
import type { ValidationRule } from '../../shared/content-guardrails-policy.ts';

const MODE_RANK = { off: 0, warn: 1, enforce: 2 } as const;

interface ToolSchemas {
  readonly inputSchema?: unknown;
  readonly outputSchema?: unknown;
}

interface SessionTools {
  tools: Map<string, ToolSchemas> | undefined;
  listing?: Promise<Map<string, ToolSchemas>>;
}

type Check = { ok: true } | { ok: false; problems: string[] } | { ok: false; uncheckable: string };

export interface ValidationInterceptorDeps {
  readonly engine: () => PolicyEngine;
}

export class ValidationInterceptor implements Interceptor {
  readonly name = 'validation';
  readonly methods: ReadonlySet<string> = new Set(['tools/list', 'tools/call']);
  private readonly deps: ValidationInterceptorDeps;
  private readonly sessions = new Map<string, SessionTools>();
  private readonly validators = new WeakMap<object, ValidateFunction | Error>();
  private readonly draft07 = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: false });
  private readonly draft2020 = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, validateFormats: false });
  private listings = 0;

  constructor(deps: ValidationInterceptorDeps) {
    this.deps = deps;
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const request = currentRequest(ctx);
    if (request.method === 'tools/list') return this.list(ctx, request, next);
    if (request.method !== 'tools/call') return next(request);
    const policy = GuardrailsPolicy.of(this.deps.engine());
    if (policy.validation.length === 0) return next(request);
    const tool = toolName(request);
    const rule = policy.forCall('validation', ctx.session.serverId, tool, '', ruleFor);
    if (!rule || rule.rule.mode === 'off') return next(request);
    const enforce = rule.rule.mode === 'enforce';

    // The session's list is known after its first call: no await (and no promise) for it then.
    const known = this.sessions.get(ctx.session.sessionId)?.tools;
    const schemas = known ? known.get(tool) : await this.schemasFor(ctx.session, tool, next);
    const args = (request.params as { arguments?: unknown } | undefined)?.arguments ?? {};
    const input = schemas instanceof Error ? { ok: false as const, uncheckable: schemas.message } : schemas?.inputSchema !== undefined ? this.check(schemas.inputSchema, args, 'arguments') : { ok: true as const };
    if (!input.ok) {
      if ('uncheckable' in input) {
        noteGuardrail(ctx, rule.label, [], 'arguments-unchecked');
        if (enforce) return guardrailRefusal(ctx, rule.label, `the arguments of ${tool} cannot be checked (${input.uncheckable}) and validation is enforced`);
      } else {
        noteGuardrail(ctx, rule.label, [], enforce ? 'invalid-arguments' : 'invalid-arguments-warned');
        if (enforce) {
          ctx.auditOutcome = 'invalid_arguments';
          const response = guardrailRefusal(ctx, rule.label, `invalid arguments for ${tool}: ${input.problems.join('; ')}. Correct them and call again; the call was not sent to the server`);
          return response;
        }
      }
    }

    const response = await next(request);
    if (schemas instanceof Error || schemas?.outputSchema === undefined || !('result' in response)) return response;
    const result = response.result as { structuredContent?: unknown; isError?: unknown };
    if (result.isError === true || result.structuredContent === undefined) return response;
    const output = this.check(schemas.outputSchema, result.structuredContent, 'structuredContent');
    if (output.ok) return response;
    noteGuardrail(ctx, rule.label, [], enforce ? 'invalid-result' : 'invalid-result-warned');
    if (!enforce) return response;
    const why = 'uncheckable' in output ? `cannot be checked (${output.uncheckable})` : `does not match the tool's outputSchema: ${output.problems.join('; ')}`;
    return guardrailRefusal(ctx, rule.label, `the result of ${tool} ${why}; it was withheld`);
  }

  onServerNotification(session: SessionInfo, notification: JSONRPCNotification): JSONRPCNotification {
    // The server's tools changed: the next call lists them again.
    if (notification.method === 'notifications/tools/list_changed') this.sessions.delete(session.sessionId);
    return notification;
  }

  onSessionClosed(session: SessionInfo): void {
    this.sessions.delete(session.sessionId);
  }

  private async list(ctx: CallContext, request: JSONRPCRequest, next: Next): Promise<RelayResponse> {
    const response = await next(request);
    const tools = 'result' in response ? (response.result as { tools?: unknown }).tools : undefined;
    if (Array.isArray(tools)) {
      const session = this.session(ctx.session.sessionId);
      const paged = (request.params as { cursor?: unknown } | undefined)?.cursor !== undefined;
      const map = paged && session.tools ? session.tools : new Map<string, ToolSchemas>();
      for (const tool of tools as Array<{ name: string } & ToolSchemas>) map.set(tool.name, { inputSchema: tool.inputSchema, outputSchema: tool.outputSchema });
      session.tools = map;
    }
    return response;
  }

  /** The tool's schemas from the session's list; undefined when the tool is not listed; an Error when no list can be had. */
  private async schemasFor(session: SessionInfo, tool: string, next: Next): Promise<ToolSchemas | undefined | Error> {
    const state = this.session(session.sessionId);
    if (state.tools) return state.tools.get(tool);
    try {
      state.listing ??= this.listTools(next);
      state.tools = await state.listing;
      return state.tools.get(tool);
    } catch (error) {
      return new Error(`the server's tool list is not available: ${(error as Error).message}`);
    } finally {
      state.listing = undefined;
    }
  }

  private async listTools(next: Next): Promise<Map<string, ToolSchemas>> {
    const map = new Map<string, ToolSchemas>();
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const response = await next({ jsonrpc: '2.0', id: `switchboard:validation-list:${++this.listings}`, method: 'tools/list', params: cursor === undefined ? {} : { cursor } });
      const result = 'result' in response ? response.result as { tools?: unknown; nextCursor?: unknown } : undefined;
      if (!result || !Array.isArray(result.tools)) throw new Error('error' in response ? response.error.message : 'tools/list returned no tools');
      for (const tool of result.tools as Array<{ name: string } & ToolSchemas>) map.set(tool.name, { inputSchema: tool.inputSchema, outputSchema: tool.outputSchema });
      cursor = typeof result.nextCursor === 'string' && result.nextCursor !== '' ? result.nextCursor : undefined;
      if (cursor === undefined) break;
    }
    return map;
  }

  private session(sessionId: string): SessionTools {
    let state = this.sessions.get(sessionId);
    if (!state) {
      state = { tools: undefined };
      this.sessions.set(sessionId, state);
    }
    return state;
  }

  private check(schema: unknown, value: unknown, root: string): Check {
    if (schema === null || typeof schema !== 'object') return { ok: false, uncheckable: 'the schema is not an object' };
    let validate = this.validators.get(schema);
    if (!validate) {
      try {
        const draft = String((schema as { $schema?: unknown }).$schema ?? '');
        validate = (draft.includes('2020-12') ? this.draft2020 : this.draft07).compile(schema as object);
      } catch (error) {
        validate = new Error(`the tool's schema does not compile: ${(error as Error).message}`);
      }
      this.validators.set(schema, validate);
    }
    if (validate instanceof Error) return { ok: false, uncheckable: validate.message };
    if (validate(value)) return { ok: true };
    return { ok: false, problems: (validate.errors ?? []).slice(0, 10).map((e) => describeError(e, root)) };
  }
}

/** "arguments.count: must be number (expected type number)" — the field and what was expected, never the value sent. */
export function describeError(error: ErrorObject, root: string): string {
  const path = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${[root, ...path, String(params.missingProperty)].join('.')}: is required but missing`;
  if (error.keyword === 'additionalProperties') return `${[root, ...path, String(params.additionalProperty)].join('.')}: is not an allowed property`;
  const field = [root, ...path].join('.');
  const expected = error.keyword === 'type' ? ` (expected type ${String(params.type)})` : error.keyword === 'enum' ? ` (expected one of ${JSON.stringify(params.allowedValues)})` : '';
  return `${field}: ${error.message ?? error.keyword}${expected}`;
}

const ruleFor = (policy: GuardrailsPolicy, target: string) => strictest(policy.validation.filter((r) => r.tool(target)));

function strictest(rules: readonly Compiled<ValidationRule>[]): Compiled<ValidationRule> | undefined {
  let best: Compiled<ValidationRule> | undefined;
  for (const r of rules) if (!best || MODE_RANK[r.rule.mode] > MODE_RANK[best.rule.mode]) best = r;
  return best;
}
