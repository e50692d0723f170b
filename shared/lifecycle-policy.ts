// Lifecycle entries of a policy document (managed, org or user): IT marks servers deprecated or
// decommissioned, with a sunset date after which calls are refused, the replacement to move to and
// the owner to ask. The effective lifecycle of a configured server (what `status`, the UI, the
// audit and the inventory show) combines these entries with the registry's status, strictest wins
// (main/lifecycle/).
import { z } from 'zod';
import type { ServerMatcher } from './policy.ts';

export const LIFECYCLE_POLICY_STATES = ['active', 'deprecated', 'decommissioned'] as const;

/** A sunset: a date ("2026-03-31", from 00:00 UTC that day) or a date and time with offset. */
export const SunsetSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })])
  .describe('From this moment calls are refused: a date ("2026-03-31", from 00:00 UTC that day) or an ISO date-time with offset');

/**
 * The schema of `lifecycle`, built from the policy's server matcher: shared/policy.ts passes its
 * ServerMatcherSchema in (this file cannot import it at run time: policy.ts imports this one).
 */
export function lifecyclePolicySchema<M extends z.ZodType<ServerMatcher>>(matcher: M) {
  return z.array(z.object({
    id: z.string().min(1).optional().describe('Rule name shown in refusals, status and audit; defaults to "lifecycle <state> <matcher>"'),
    match: matcher.describe('Which servers the entry is for (the fields of a servers.allow entry; registry names count only when confirmed, other fields as in a denylist)'),
    state: z.enum(LIFECYCLE_POLICY_STATES).describe('deprecated: the server runs and every status, UI row and audit record says so; decommissioned: every tools/call, prompts/get and resources/read is refused'),
    sunset: SunsetSchema.optional(),
    replacement: z.string().min(1).optional().describe('What to move to: a server id, a registry name or a package (shown in refusals)'),
    owner: z.string().min(1).optional().describe('Who owns the server (team, e-mail); carried in the inventory'),
    message: z.string().min(1).max(500).optional().describe('Shown with the state: why, and what to do'),
  }).strict()).describe('Lifecycle of servers: the strictest state of every matching entry of every source (and of the registry) applies');
}

export interface LifecycleEntry {
  readonly id?: string;
  readonly match: ServerMatcher;
  readonly state: (typeof LIFECYCLE_POLICY_STATES)[number];
  readonly sunset?: string;
  readonly replacement?: string;
  readonly owner?: string;
  readonly message?: string;
}

/** The lifecycle of one configured server, as status, the UI, audit and the inventory show it. */
export const ServerLifecycleSchema = z.object({
  /** deleted comes from the registry only; decommissioned from policy (or a sunset that passed). */
  state: z.enum(['active', 'deprecated', 'decommissioned', 'deleted']),
  /** True when calls are refused (decommissioned, deleted). */
  refused: z.boolean(),
  /** The entry that decided: its id or description, or "registry status". */
  rule: z.string(),
  source: z.enum(['managed', 'org', 'user', 'registry']),
  message: z.string().optional(),
  replacement: z.string().optional(),
  /** The registry's latest version of the server, when the registry reports one. */
  latestVersion: z.string().optional(),
  /** The version this server runs (installedFrom.version), when known. */
  version: z.string().optional(),
  owner: z.string().optional(),
  /** ISO date-time from which calls are refused, when a sunset applies. */
  sunset: z.string().optional(),
  /** One sentence: how to move off this server. */
  howToMove: z.string().optional(),
});
export type ServerLifecycle = z.infer<typeof ServerLifecycleSchema>;
