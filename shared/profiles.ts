// Profiles: named tool surfaces. A profile picks servers and, per tool, whether a client sees it
// (visible), finds it through search (deferred) or not at all (excluded), under what name. One
// federated endpoint serves each profile; a client token is bound to one profile.
import { z } from 'zod';
// Lazy below: shared/policy.ts imports this file too (its `profiles` section, shared/profiles-policy.ts).
import { globProblem, ServerMatcherSchema } from './policy.ts';

export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ProfileNameSchema = z.string().regex(PROFILE_NAME_PATTERN, 'profile names are 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** The profile every server is in, with every tool visible: today's surface, one server per entry. */
export const DEFAULT_PROFILE = 'default';
export const DEFAULT_NAMESPACE_SEPARATOR = '__';
/** MCP's tool-name rules: 1–128 characters of [A-Za-z0-9_.-]. */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
export const MAX_TOOL_NAME_LENGTH = 128;

export const ToolVisibilitySchema = z.enum(['visible', 'deferred']).describe('visible: in tools/list; deferred: left out, found with find_tools and loaded with load_tools');
export type ToolVisibility = z.infer<typeof ToolVisibilitySchema>;

/** Per-tool settings, keyed by "<server id>/<tool name>" (the upstream's own names). */
export const ProfileToolSchema = z.object({
  name: z.string().regex(TOOL_NAME_PATTERN, 'tool names are 1-128 letters, digits, "_", "." or "-"').optional().describe('The name clients see instead of the namespaced one'),
  description: z.string().max(4096).optional().describe('Replaces the server\'s description'),
  visibility: ToolVisibilitySchema.optional(),
}).strict();
export type ProfileTool = z.infer<typeof ProfileToolSchema>;

// A glob that does not compile would silently keep or leave out nothing: refused, as in policy.
const ToolGlobSchema = z.string().min(1).superRefine((pattern, ctx) => {
  const problem = globProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: `not a valid glob: ${problem}` });
}).describe('Glob over "<server id>/<tool name>", e.g. "github/*" or "*/delete_*"');

export const ProfileSchema = z.object({
  name: ProfileNameSchema,
  description: z.string().max(1024).optional(),
  servers: z.array(z.union([z.string().min(1), z.lazy(() => ServerMatcherSchema)])).min(1).describe('Server ids, or server matchers as in policy ({"id": …}, {"registryName": …}, {"command": …}, {"url": …}, …)'),
  include: z.array(ToolGlobSchema).optional().describe('When present, only tools matching one of these globs are in the profile'),
  exclude: z.array(ToolGlobSchema).optional().describe('Tools matching any of these globs are not in the profile (a call to one is refused)'),
  tools: z.record(z.string().min(1), ProfileToolSchema).optional().describe('Per-tool renames, descriptions and visibility, keyed by "<server id>/<tool name>"'),
  visibility: ToolVisibilitySchema.default('visible').describe('Visibility of tools the profile does not list in `tools`'),
  maxVisible: z.number().int().positive().max(1000).optional().describe('At most this many tools are visible; past it the rest are deferred (in the order of `tools`, then most used, then by name)'),
  mostUsed: z.number().int().positive().max(1000).optional().describe('Make the N tools this client called most (per the audit) visible'),
  separator: z.string().regex(/^[A-Za-z0-9_.-]{1,8}$/).default(DEFAULT_NAMESPACE_SEPARATOR).describe('Between server id and tool name in namespaced names'),
}).strict();
export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;
