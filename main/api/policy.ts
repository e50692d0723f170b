// Handlers of the policy API.
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { policyContract } from '../../shared/api/policy.ts';
import type { ServerConfig } from '../../shared/config.ts';
import { PolicyDocumentSchema } from '../../shared/policy.ts';
import type { PolicyEngine } from '../policy/engine.ts';
import type { PinStore } from '../policy/pin-store.ts';
import type { ToolAnnotations } from '../policy/tool-rules.ts';
import { fieldIssues } from '../policy/validate.ts';

export interface PolicyHandlerDeps {
  readonly engine: () => PolicyEngine;
  /** Re-reads the managed file and refreshes org sync (PolicyService.reloadManaged + refreshOrg). */
  readonly reload: () => Promise<PolicyEngine>;
  readonly pins: PinStore;
  readonly serverConfig: (serverId: string) => ServerConfig | undefined;
  /** Annotations of a tool as last listed, when the caller gives none. */
  readonly toolAnnotations?: (serverId: string, tool: string) => ToolAnnotations | undefined;
}

export function createPolicyHandlers(deps: PolicyHandlerDeps): Handlers<typeof policyContract> {
  return {
    'policy.effective': async () => deps.engine().effective(),
    'policy.check': async ({ serverId, tool, kind, arguments: args, annotations }) => {
      const engine = deps.engine();
      const server = deps.serverConfig(serverId);
      const admission = server ? engine.admitServer(server) : null;
      const decision = admission && !admission.ok
        ? { action: 'deny' as const, rule: admission.rule, source: admission.source, label: `${admission.source}: ${admission.rule}`, reason: admission.reason }
        : engine.evaluate({ kind, serverId, name: tool, annotations: annotations ?? deps.toolAnnotations?.(serverId, tool), arguments: args ?? {} });
      return { admission, decision };
    },
    'policy.validate': async ({ document }) => {
      const parsed = PolicyDocumentSchema.safeParse(document);
      return parsed.success ? { ok: true, issues: [] } : { ok: false, issues: fieldIssues(parsed.error) };
    },
    'policy.reload': async () => (await deps.reload()).effective(),
    'policy.pins': async ({ serverId }) => ({ pinned: deps.pins.pinned(serverId), changes: deps.pins.changes(serverId) }),
    'policy.acceptPinChange': async ({ serverId, tool }) => {
      if (deps.engine().pinningOnChange() === 'deny') {
        throw new ApiError({ code: 'forbidden', message: `policy denies changed tool definitions (pinning.onChange = deny, ${deps.engine().setting('pinning.onChange')?.source}); ask your administrator` });
      }
      return { accepted: deps.pins.accept(serverId, tool) };
    },
  };
}
