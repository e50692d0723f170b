// "Always allow" for an approval: for a pinning approval, the new tool definition becomes the pin;
// for a policy approval, a user rule allowing exactly this server/tool is added to the settings'
// userPolicy (through the injected callback, which owns the config file). The rule goes where it
// cannot loosen any of the user's own deny rules: within a source the first matching rule decides,
// so it is inserted after the last user deny rule that can still decide a call to this tool.
import type { ToolRule } from '../../shared/policy.ts';
import type { PinStore } from './pin-store.ts';
import { compileToolRule } from './tool-rules.ts';
import type { PendingApproval } from '../approvals/broker.ts';

/** A rule to add to settings.userPolicy.tools, and where: `position` is computed from the tools as they are when the config is written. */
export interface UserRuleInsertion {
  readonly rule: ToolRule;
  position(tools: readonly ToolRule[]): number;
}

export interface AlwaysAllowDeps {
  readonly pins: PinStore;
  /** Inserts the rule into settings.userPolicy.tools at its position and saves the config (the policy service then rebuilds). */
  readonly addUserRule: (insertion: UserRuleInsertion) => void | Promise<void>;
}

type Target = Pick<PendingApproval, 'serverId' | 'tool' | 'target'>;

/** Escapes glob characters so a tool literally named "a*b" matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]{}()!+@\\]/g, (c) => `\\${c}`);
}

export function alwaysAllowRule(approval: Target): ToolRule {
  return { id: `always allow ${approval.serverId}/${approval.tool}`, kind: approval.target ?? 'tool', match: `${escapeGlob(approval.serverId)}/${escapeGlob(approval.tool)}`, action: 'allow' };
}

/**
 * Where the allow rule for this target goes among the user's tool rules: right after the last
 * deny rule that can decide a call to the target, or first when there is none. A deny "can decide"
 * when its glob matches the target and no earlier rule matches the target unconditionally (no
 * annotation or argument conditions: that one decides every call, so nothing after it is reached).
 * Rules with conditions count whatever their conditions, since arguments and annotations vary.
 * So every call the user's rules denied is still denied, and the ask that prompted this (a user
 * rule after those denies) is reached by no call any more.
 */
export function alwaysAllowPosition(tools: readonly ToolRule[], approval: Target): number {
  const kind = approval.target ?? 'tool';
  const target = `${approval.serverId}/${approval.tool}`;
  let position = 0;
  for (const [index, rule] of tools.entries()) {
    if ((rule.kind ?? 'tool') !== kind || !compileToolRule(rule, 'user').matchesTarget(target)) continue;
    if (rule.action === 'deny') position = index + 1;
    const unconditional = !rule.arguments?.length && !Object.values(rule.annotations ?? {}).some((v) => v !== undefined);
    if (unconditional) break;
  }
  return position;
}

/** The ApprovalBroker's onAlwaysAllow. */
export function createAlwaysAllowHandler(deps: AlwaysAllowDeps): (approval: PendingApproval) => Promise<void> {
  return async (approval) => {
    if (approval.kind === 'pinning') deps.pins.accept(approval.serverId, approval.tool);
    else await deps.addUserRule({ rule: alwaysAllowRule(approval), position: (tools) => alwaysAllowPosition(tools, approval) });
  };
}
