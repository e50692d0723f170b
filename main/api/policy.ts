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
  /** The tool as the daemon knows it (its probe session's list), for annotations the caller does not give. */
  readonly lookupTool?: (serverId: string, tool: string) => Promise<{ annotations?: ToolAnnotations } | undefined>;
}

const DEFAULTS_ASSUMED = 'MCP default annotations assumed (readOnlyHint false, destructiveHint true, idempotentHint false, openWorldHint true)';

export function createPolicyHandlers(deps: PolicyHandlerDeps): Handlers<typeof policyContract> {
  return {
    'policy.effective': async () => deps.engine().effective(),
    'policy.check': async ({ serverId, tool, kind, arguments: args, annotations }) => {
      const engine = deps.engine();
      const server = deps.serverConfig(serverId);
      // As the proxy does: a server that is not configured is refused before any tool rule.
      if (!server) {
        return { admission: null, decision: { action: 'deny' as const, rule: 'unknown server', source: 'default', label: 'default: unknown server', reason: `server "${serverId}" is not configured` } };
      }
      const admission = engine.admitServer(server);
      if (!admission.ok) {
        return { admission, decision: { action: 'deny' as const, rule: admission.rule, source: admission.source, label: `${admission.source}: ${admission.rule}`, reason: admission.reason } };
      }
      let assumed: string | undefined;
      let known = annotations as ToolAnnotations | undefined;
      if (!known && kind === 'tool') {
        // The annotations the proxy would see (the session's own list normally matches the probe's).
        try {
          const listed = await deps.lookupTool?.(serverId, tool);
          if (listed) known = listed.annotations ?? {};
          else assumed = `tool "${tool}" is not in the tools the daemon listed for "${serverId}"; ${DEFAULTS_ASSUMED}`;
        } catch (error) {
          assumed = `the tools of "${serverId}" could not be listed (${(error as Error).message}); ${DEFAULTS_ASSUMED}`;
        }
      }
      const decision = engine.evaluate({ kind, serverId, server, name: tool, annotations: known, arguments: args ?? {} });
      if (!assumed) return { admission, decision };
      return { admission, decision: { ...decision, reason: decision.reason ? `${decision.reason}; ${assumed}` : assumed } };
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
