// Data-loss prevention on tools/call: the arguments before they go upstream and the result before
// it goes back are walked through the detectors the matching rules pick. Per finding the strictest
// action of the rules naming its detector wins: block > ask > redact > log. Redact replaces each
// match in place ("[REDACTED:<detector>]") and adds a note the model reads. Ask on arguments goes
// through the approval broker with the arguments redacted; ask on a result blocks (there is no one
// to hold a result for). Nothing here records a matched value: findings are detector and path.
import type { ApprovalBroker } from '../approvals/broker.ts';
import type { CallContext, Interceptor, Next, RelayResponse } from '../relay/interceptor.ts';
import type { PolicyEngine } from '../policy/engine.ts';
import { currentRequest, describeFindings, GUARDRAILS_SOURCE, guardrailRefusal, noteGuardrail, toolName, toolTarget, withNote } from './call-facts.ts';
import { redactSpans, walkContent, type PathFinding, type WalkOptions, type WalkResult } from './content-walk.ts';
import { takeArgumentScan } from './dlp-argument-scan.ts';
import { dlpDetectorSet } from './dlp-detectors.ts';
import { GuardrailsPolicy, type CompiledDlp } from './guardrails-policy.ts';

const RANK = { log: 0, redact: 1, ask: 2, block: 3 } as const;
type DlpAction = keyof typeof RANK;

export interface DlpInterceptorDeps {
  readonly engine: () => PolicyEngine;
  readonly broker: ApprovalBroker;
}

interface Plan {
  readonly rules: readonly CompiledDlp[];
  readonly detectors: ReturnType<typeof dlpDetectorSet>;
  /** The result walk's options (made once per plan, not per call). */
  readonly resultWalk: WalkOptions;
}

interface Plans {
  readonly argPlan: Plan | undefined;
  readonly resultPlan: Plan | undefined;
}

/** Which rules apply to a call's arguments and to its result, for one target and client. */
function plansFor(policy: GuardrailsPolicy, target: string, client: string): Plans {
  const matching = policy.dlp.filter((r) => r.tool(target) && r.client(client));
  const args = matching.filter((r) => r.rule.direction !== 'results');
  const results = matching.filter((r) => r.rule.direction !== 'arguments');
  return { argPlan: args.length > 0 ? planFor(args) : undefined, resultPlan: results.length > 0 ? planFor(results) : undefined };
}

export class DlpInterceptor implements Interceptor {
  readonly name = 'dlp';
  readonly methods: ReadonlySet<string> = new Set(['tools/call']);
  private readonly deps: DlpInterceptorDeps;

  constructor(deps: DlpInterceptorDeps) {
    this.deps = deps;
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    let request = currentRequest(ctx);
    if (request.method !== 'tools/call') return next(request);
    const policy = GuardrailsPolicy.of(this.deps.engine());
    if (policy.dlp.length === 0) return next(request);
    const { argPlan, resultPlan } = policy.forCall('dlp', ctx.session.serverId, toolName(request), ctx.session.clientLabel, plansFor);

    let argumentNote: string | undefined;
    if (argPlan) {
      const params = (request.params ?? {}) as Record<string, unknown>;
      const plan = argPlan;
      // The audit's scrub walked these same arguments with these detectors already (scanArguments keeps that walk).
      const walk = takeArgumentScan(params.arguments, plan.detectors);
      const verdict = decide(walk, plan.rules);
      if (verdict) {
        noteGuardrail(ctx, verdict.rule.label, verdict.detectors, walk.incomplete ? `dlp-incomplete-${walk.incomplete}` : undefined);
        if (verdict.action === 'block') return guardrailRefusal(ctx, verdict.rule.label, verdict.reason('arguments', 'the call was not sent to the server'));
        if (verdict.action === 'ask') {
          const refused = await this.ask(ctx, verdict.rule.label, verdict.reason('arguments', 'the user was asked'), walk.value ?? params.arguments);
          if (refused) return refused;
        } else if (verdict.action === 'redact' && walk.value !== undefined) {
          request = { ...request, params: { ...params, arguments: walk.value } };
          argumentNote = `[MCP Switchboard redacted ${describeFindings(walk.findings)} from the arguments before they reached the tool (${verdict.rule.label}).]`;
        }
      } else if (walk.incomplete) {
        noteGuardrail(ctx, undefined, [], `dlp-incomplete-${walk.incomplete}`);
      }
    }

    let response = await next(request);
    if (argumentNote) response = withNote(response, argumentNote);
    if (!resultPlan || !('result' in response)) return response;
    const plan = resultPlan;
    const walk = walkContent(response.result, plan.resultWalk);
    const verdict = decide(walk, plan.rules);
    if (!verdict) {
      if (walk.incomplete) noteGuardrail(ctx, undefined, [], `dlp-incomplete-${walk.incomplete}`);
      return response;
    }
    noteGuardrail(ctx, verdict.rule.label, verdict.detectors, walk.incomplete ? `dlp-incomplete-${walk.incomplete}` : undefined);
    if (verdict.action === 'block' || verdict.action === 'ask') return guardrailRefusal(ctx, verdict.rule.label, verdict.reason('result', 'the result was withheld'));
    if (verdict.action === 'redact' && walk.value !== undefined) {
      const redacted = { ...response, result: walk.value as typeof response.result };
      return withNote(redacted, `[MCP Switchboard redacted ${describeFindings(walk.findings)} from this result (${verdict.rule.label}); the redacted values are not available.]`);
    }
    return response;
  }

  private async ask(ctx: CallContext, rule: string, reason: string, shownArguments: unknown): Promise<RelayResponse | undefined> {
    const { session } = ctx;
    const { tool } = toolTarget(ctx);
    const started = performance.now();
    const outcome = await this.deps.broker.request({
      kind: 'policy',
      sessionId: session.sessionId,
      ...(session.client ? { client: session.client } : {}),
      clientLabel: session.clientLabel,
      serverId: session.serverId,
      tool,
      // The person sees the arguments with the findings redacted: the approval list is not a place for the values either.
      arguments: shownArguments,
      rule,
      source: GUARDRAILS_SOURCE,
      reason,
      choices: ['allow-once'],
      signal: ctx.signal,
    });
    ctx.approvalWaitMs = (ctx.approvalWaitMs ?? 0) + (performance.now() - started);
    ctx.approver = outcome.approver;
    if (outcome.approved) return undefined;
    return guardrailRefusal(ctx, rule, `${reason}; not approved (${outcome.answer})`);
  }
}


function planFor(rules: readonly CompiledDlp[]): Plan {
  const names = new Set<string>();
  for (const r of rules) for (const d of r.detectors) names.add(d);
  const detectors = dlpDetectorSet(names);
  return { rules, detectors, resultWalk: { ...detectors, root: 'result', replace: redactSpans } };
}

interface Verdict {
  readonly action: DlpAction;
  readonly rule: CompiledDlp;
  readonly detectors: string[];
  reason(where: string, then: string): string;
}

/** The strictest action over the findings (and over an incomplete walk, by failClosed). */
function decide(walk: WalkResult, rules: readonly CompiledDlp[]): Verdict | undefined {
  let best: { action: DlpAction; rule: CompiledDlp } | undefined;
  for (const finding of walk.findings) {
    for (const rule of rules) {
      if (!rule.detectors.has(finding.detector)) continue;
      const action = rule.rule.action;
      if (!best || RANK[action] > RANK[best.action]) best = { action, rule };
    }
  }
  if (walk.incomplete) {
    const closed = rules.find((r) => r.failClosed);
    if (closed) {
      const why = walk.incomplete === 'depth' ? 'nesting deeper than the scan bound' : walk.incomplete === 'size' ? 'more text than the scan bound' : 'a detector failed on this input';
      return {
        action: 'block',
        rule: closed,
        detectors: [],
        reason: (where) => `the ${where} could not be scanned completely (${why}) and the rule fails closed`,
      };
    }
  }
  if (!best) return undefined;
  const relevant: PathFinding[] = walk.findings.filter((f) => best!.rule.detectors.has(f.detector));
  return {
    action: best.action,
    rule: best.rule,
    detectors: [...new Set(walk.findings.map((f) => f.detector))],
    reason: (where, then) => `${describeFindings(relevant)} in the ${where}; ${then}`,
  };
}
