// Content guardrails API: the tools the injection scan flagged (why, and whether they are listed),
// and the daily token use of clients. Names rules, detectors and places, never values.
import { z } from 'zod';
import { method } from './define.ts';

export const ToolFlagSchema = z.object({
  serverId: z.string(),
  tool: z.string(),
  /** Label of the deciding rule, e.g. "managed: ask-flagged-tools". */
  rule: z.string(),
  action: z.enum(['warn', 'strip', 'ask', 'deny']),
  detectors: z.array(z.string()),
  /** Where in the definition ("tool.description"). */
  where: z.array(z.string()),
  /** hidden: not listed (deny, or ask until approved). */
  state: z.enum(['listed', 'hidden', 'approved']),
});
export type ToolFlagView = z.infer<typeof ToolFlagSchema>;

export const guardrailsContract = {
  'guardrails.flags': method(
    z.object({ serverId: z.string().optional() }).strict(),
    z.object({ flags: z.array(ToolFlagSchema) }),
    'Tools whose definition the injection scan flagged, with the rule, the detectors, where, and whether the tool is listed',
  ),
};
