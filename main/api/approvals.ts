// Handlers of the approvals API over the approval broker.
import { ApiError, type Caller, type Handlers } from '../../shared/api/define.ts';
import type { approvalsContract } from '../../shared/api/approvals.ts';
import { ApprovalAnswerNotAllowedError, ApprovalNotFoundError, type ApprovalBroker } from '../approvals/broker.ts';

export interface ApprovalsHandlerDeps {
  readonly broker: ApprovalBroker;
}

export function createApprovalsHandlers(deps: ApprovalsHandlerDeps): Handlers<typeof approvalsContract> {
  return {
    'approvals.list': async () => ({ pending: deps.broker.list() }),
    'approvals.answer': async ({ id, answer }, caller: Caller) => {
      try {
        return { approval: await deps.broker.answer(id, answer, caller.kind === 'ipc' ? 'ui' : caller.kind) };
      } catch (error) {
        if (error instanceof ApprovalNotFoundError) throw new ApiError({ code: 'not_found', message: error.message });
        if (error instanceof ApprovalAnswerNotAllowedError) throw new ApiError({ code: 'forbidden', message: error.message });
        throw error;
      }
    },
    'approvals.history': async ({ limit }) => ({ history: deps.broker.history(limit) }),
  };
}
