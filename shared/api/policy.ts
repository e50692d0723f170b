// Policy API: the effective policy with each rule's source and the locks, what a call would be
// decided, validation of a document, and pinned tool definitions with pending changes.
import { z } from 'zod';
import { EffectivePolicySchema } from '../policy.ts';
import { method } from './define.ts';

export const PolicyDecisionSchema = z.object({
  action: z.enum(['allow', 'deny', 'ask']),
  rule: z.string(),
  source: z.string(),
  /** "managed: deny github/delete_*" */
  label: z.string(),
  reason: z.string().optional(),
});

export const AdmissionSchema = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), reason: z.string(), rule: z.string(), source: z.string() }),
]);

const ToolDefinitionSchema = z.object({ name: z.string(), description: z.string().optional(), inputSchema: z.unknown().optional(), annotations: z.unknown().optional() });

export const PinnedToolSchema = z.object({ serverId: z.string(), tool: z.string(), hash: z.string(), definition: ToolDefinitionSchema, firstSeen: z.string(), updatedAt: z.string() });
export const PinChangeSchema = z.object({ serverId: z.string(), tool: z.string(), oldHash: z.string(), newHash: z.string(), old: ToolDefinitionSchema, new: ToolDefinitionSchema, detectedAt: z.string() });

export const policyContract = {
  'policy.effective': method(z.object({}).strict(), EffectivePolicySchema, 'The effective policy: sources and their state, every rule with its source, settings with locks.'),
  'policy.check': method(
    z.object({
      serverId: z.string().min(1),
      tool: z.string().min(1),
      kind: z.enum(['tool', 'prompt', 'resource']).default('tool'),
      arguments: z.record(z.string(), z.unknown()).optional(),
      annotations: z.record(z.string(), z.boolean()).optional(),
    }).strict(),
    z.object({ admission: AdmissionSchema.nullable(), decision: PolicyDecisionSchema }),
    'What policy would decide for a call, and why (rule and source). admission is null for a server that is not configured.',
  ),
  'policy.validate': method(
    z.object({ document: z.unknown() }).strict(),
    z.object({ ok: z.boolean(), issues: z.array(z.object({ path: z.string(), message: z.string() })) }),
    'Validate a policy document; field-level issues when it is not valid.',
  ),
  'policy.reload': method(z.object({}).strict(), EffectivePolicySchema, 'Re-read the managed policy file and refresh the org policy now.'),
  'policy.pins': method(
    z.object({ serverId: z.string().optional() }).strict(),
    z.object({ pinned: z.array(PinnedToolSchema), changes: z.array(PinChangeSchema) }),
    'Pinned tool definitions and pending changes (old and new definitions, for a diff).',
  ),
  'policy.acceptPinChange': method(
    z.object({ serverId: z.string().min(1), tool: z.string().min(1) }).strict(),
    z.object({ accepted: z.boolean() }),
    'Accept a changed tool definition as the new pin (refused when policy says changes are denied).',
  ),
};
