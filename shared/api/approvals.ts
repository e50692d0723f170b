// Approvals API: the calls waiting for the user's answer, the answer, and what was decided.
import { z } from 'zod';
import { method } from './define.ts';

export const ApprovalAnswerSchema = z.enum(['deny', 'allow-once', 'allow-session', 'always-allow']);
export type ApprovalAnswerValue = z.infer<typeof ApprovalAnswerSchema>;

export const PendingApprovalSchema = z.object({
  id: z.string(),
  kind: z.enum(['policy', 'pinning']),
  createdAt: z.string(),
  expiresAt: z.string(),
  sessionId: z.string(),
  client: z.object({ name: z.string(), version: z.string() }).optional(),
  clientLabel: z.string(),
  serverId: z.string(),
  /** Tool or prompt name, or resource URI. */
  tool: z.string(),
  target: z.enum(['tool', 'prompt', 'resource']).optional(),
  arguments: z.unknown(),
  /** Label of the rule that asked, e.g. "managed: ask github/delete_*". */
  rule: z.string(),
  source: z.string(),
  reason: z.string().optional(),
  /** Pinning approvals: the tool definition first seen and the one the server sends now (for a diff). */
  change: z.object({ old: z.unknown(), new: z.unknown() }).optional(),
  choices: z.array(ApprovalAnswerSchema),
});
export type PendingApprovalView = z.infer<typeof PendingApprovalSchema>;

export const ResolvedApprovalSchema = PendingApprovalSchema.extend({
  resolvedAt: z.string(),
  answer: z.enum(['deny', 'allow-once', 'allow-session', 'always-allow', 'timeout', 'withdrawn']),
  by: z.string(),
});
export type ResolvedApprovalView = z.infer<typeof ResolvedApprovalSchema>;

export const approvalsContract = {
  'approvals.list': method(z.object({}).strict(), z.object({ pending: z.array(PendingApprovalSchema) }), 'Calls waiting for the user\'s answer, oldest first.'),
  'approvals.answer': method(
    z.object({ id: z.string().min(1), answer: ApprovalAnswerSchema }).strict(),
    z.object({ approval: ResolvedApprovalSchema }),
    'Answer a pending approval: deny, allow once, allow for this session, or always allow.',
  ),
  'approvals.history': method(
    z.object({ limit: z.number().int().positive().max(1000).optional() }).strict(),
    z.object({ history: z.array(ResolvedApprovalSchema) }),
    'Recently answered, timed-out or withdrawn approvals, newest first.',
  ),
};
