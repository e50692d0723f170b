// Handlers of the guardrails contract over the injection interceptor.
import type { Handlers } from '../../shared/api/define.ts';
import type { guardrailsContract } from '../../shared/api/guardrails.ts';
import type { ToolFlag } from '../guardrails/injection-interceptor.ts';

export interface GuardrailsHandlerDeps {
  readonly flagged: (serverId?: string) => ToolFlag[];
}

export function createGuardrailsHandlers(deps: GuardrailsHandlerDeps): Handlers<typeof guardrailsContract> {
  return {
    'guardrails.flags': async ({ serverId }) => ({ flags: deps.flagged(serverId) }),
  };
}
