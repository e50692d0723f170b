// Tool / prompt / resource rules compiled once: the glob becomes a matcher, argument conditions
// become predicates, and a per-target memo keeps only the rules whose glob matches, so one call
// costs a map lookup plus the annotation and argument checks of a few candidates.
import type { AnnotationConditions, ArgumentCondition, PolicyAction, PolicySource, ToolRule } from '../../shared/policy.ts';
import { compileGlob } from './glob.ts';
import { pathForms } from './path-forms.ts';
import type { ServerIdentity } from './server-identity.ts';
import { compileServerMatcher, describeServerMatcher, keysOnIdOnly } from './server-rules.ts';

export type TargetKind = ToolRule['kind'];

export interface ToolAnnotations {
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

export interface CompiledToolRule {
  readonly source: PolicySource;
  readonly name: string;
  readonly action: PolicyAction;
  readonly rule: ToolRule;
  readonly conditional: boolean;
  /** The server id when the glob's first segment is literal: rules for other servers are skipped without a regex. */
  readonly literalServer: string | undefined;
  matchesTarget(target: string): boolean;
  /**
   * The rule's `server` matcher against what the server runs (true without one). An allow rule
   * trusts only confirmed values, a deny or ask rule also claims, and holds for an unknown server.
   */
  matchesServer(server: ServerIdentity | undefined): boolean;
  matchesAnnotations(annotations: EffectiveAnnotations): boolean;
  matchesDetails(annotations: EffectiveAnnotations, args: unknown): boolean;
}

/** MCP annotation defaults applied, so "destructiveHint: true" also covers tools that declare nothing. */
export interface EffectiveAnnotations {
  readonly readOnlyHint: boolean;
  readonly destructiveHint: boolean;
  readonly idempotentHint: boolean;
  readonly openWorldHint: boolean;
}

export function effectiveAnnotations(a: ToolAnnotations | undefined): EffectiveAnnotations {
  const readOnlyHint = a?.readOnlyHint ?? false;
  return {
    readOnlyHint,
    destructiveHint: readOnlyHint ? false : (a?.destructiveHint ?? true),
    idempotentHint: readOnlyHint ? true : (a?.idempotentHint ?? false),
    openWorldHint: a?.openWorldHint ?? true,
  };
}

export function describeToolRule(rule: ToolRule): string {
  if (rule.id) return rule.id;
  const extras: string[] = [];
  if (rule.annotations) for (const [k, v] of Object.entries(rule.annotations)) if (v !== undefined) extras.push(`${k}=${v}`);
  for (const c of rule.arguments ?? []) {
    const [op, value] = c.equals !== undefined ? ['=', JSON.stringify(c.equals)] : c.matches !== undefined ? ['~', `/${c.matches}/`] : c.glob !== undefined ? [' glob ', c.glob] : [' prefix ', c.prefix];
    extras.push(`${c.path}${op}${value}`);
  }
  const kind = rule.kind === 'tool' ? '' : `${rule.kind} `;
  const server = rule.server ? ` on ${describeServerMatcher(rule.server)}` : '';
  return `${rule.action} ${kind}${rule.match}${server}${extras.length ? ` [${extras.join(', ')}]` : ''}`;
}

export function compileToolRule(rule: ToolRule, source: PolicySource): CompiledToolRule {
  const target = compileGlob(rule.match);
  const annotationCheck = compileAnnotations(rule.annotations);
  const argumentChecks = (rule.arguments ?? []).map((condition) => compileArgumentCondition(condition, rule.action));
  const server = rule.server ? compileServerMatcher(rule.server) : undefined;
  const trust = rule.action === 'allow' ? 'confirmed' : 'any';
  return {
    source,
    name: describeToolRule(rule),
    action: rule.action,
    rule,
    conditional: argumentChecks.length > 0,
    literalServer: literalServer(rule.match),
    matchesTarget: target,
    matchesServer: (identity) => !server || (identity ? server.matches(identity, trust) : trust === 'any'),
    matchesAnnotations: annotationCheck,
    matchesDetails: (annotations, args) => annotationCheck(annotations) && argumentChecks.every((check) => check(args)),
  };
}

function compileAnnotations(conditions: AnnotationConditions | undefined): (a: EffectiveAnnotations) => boolean {
  if (!conditions) return () => true;
  const entries = Object.entries(conditions).filter(([, v]) => v !== undefined) as Array<[keyof EffectiveAnnotations, boolean]>;
  return (a) => entries.every(([key, want]) => a[key] === want);
}

/**
 * A string value is tested in each of its path forms (path-forms.ts): a deny or ask rule's
 * condition holds when any form matches, also ignoring case (case-insensitive file systems), an
 * allow rule's only when every form matches as written. Both err on the strict side.
 */
function compileArgumentCondition(condition: ArgumentCondition, action: PolicyAction): (args: unknown) => boolean {
  const path = condition.path.split('.');
  const read = (args: unknown): unknown => {
    let value = args;
    for (const key of path) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  };
  if (condition.equals !== undefined && typeof condition.equals !== 'string') {
    const want = condition.equals;
    return (args) => read(args) === want;
  }
  let test: (s: string) => boolean;
  let testIgnoringCase: (s: string) => boolean;
  if (condition.equals !== undefined) {
    const want = condition.equals as string;
    const folded = want.toLowerCase();
    test = (s) => s === want;
    testIgnoringCase = (s) => s.toLowerCase() === folded;
  } else if (condition.matches !== undefined) {
    const re = new RegExp(condition.matches);
    const folded = new RegExp(condition.matches, 'i');
    test = (s) => re.test(s);
    testIgnoringCase = (s) => folded.test(s);
  } else if (condition.glob !== undefined) {
    test = compileGlob(condition.glob);
    testIgnoringCase = compileGlob(condition.glob, { nocase: true });
  } else {
    const prefix = condition.prefix!;
    const folded = prefix.toLowerCase();
    test = (s) => s.startsWith(prefix);
    testIgnoringCase = (s) => s.toLowerCase().startsWith(folded);
  }
  const holds = action === 'allow'
    ? (value: string) => pathForms(value).every(test)
    : (value: string) => pathForms(value).some((form) => test(form) || testIgnoringCase(form));
  return (args) => {
    const value = read(args);
    return typeof value === 'string' && holds(value);
  };
}

function literalServer(match: string): string | undefined {
  const slash = match.indexOf('/');
  if (slash <= 0) return undefined;
  const head = match.slice(0, slash);
  return /[*?[\]{}()!+@\\]/.test(head) ? undefined : head;
}

/** True when the rule picks its servers by id alone (not "*" or "**"): a renamed server escapes it. */
export function toolRuleKeysOnIdOnly(rule: ToolRule): boolean {
  if (rule.server && !keysOnIdOnly(rule.server)) return false;
  const anyId = (glob: string) => glob === '*' || glob === '**';
  const slash = rule.match.indexOf('/');
  const head = slash === -1 ? (rule.match.startsWith('**') ? '**' : rule.match) : rule.match.slice(0, slash);
  return !anyId(head) || (rule.server?.server !== undefined && !anyId(rule.server.server));
}
