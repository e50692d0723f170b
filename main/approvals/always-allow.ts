// What "always allow" does: for a pinning approval, the new tool definition becomes the pin; for
// a policy approval, a user rule allowing exactly this server/tool is added to the settings'
// userPolicy (through the injected callback, which owns the config file).
import type { ToolRule } from '../../shared/policy.ts';
import type { PinStore } from '../policy/pin-store.ts';
import type { PendingApproval } from './broker.ts';

export interface AlwaysAllowDeps {
  readonly pins: PinStore;
  /** Prepends the rule to settings.userPolicy.tools and saves the config (the policy service then rebuilds). */
  readonly addUserRule: (rule: ToolRule) => void | Promise<void>;
}

/** Escapes glob characters so a tool literally named "a*b" matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]{}()!+@\\]/g, (c) => `\\${c}`);
}

export function alwaysAllowRule(approval: Pick<PendingApproval, 'serverId' | 'tool' | 'target'>): ToolRule {
  return { id: `always allow ${approval.serverId}/${approval.tool}`, kind: approval.target ?? 'tool', match: `${escapeGlob(approval.serverId)}/${escapeGlob(approval.tool)}`, action: 'allow' };
}

/** The ApprovalBroker's onAlwaysAllow. */
export function createAlwaysAllowHandler(deps: AlwaysAllowDeps): (approval: PendingApproval) => Promise<void> {
  return async (approval) => {
    if (approval.kind === 'pinning') deps.pins.accept(approval.serverId, approval.tool);
    else await deps.addUserRule(alwaysAllowRule(approval));
  };
}
