// Profiles API: the effective tool surfaces (config, policy-shipped, the built-in default), which
// servers each has and which are missing with why, who uses each, and exactly what a client of a
// profile sees in tools/list.
import { z } from 'zod';
import { ProfileNameSchema, ProfileSchema } from '../profiles.ts';
import { method } from './define.ts';

export const ProfileSourceSchema = z.enum(['default', 'config', 'managed', 'org']);
const MissingServerSchema = z.object({ server: z.string(), reason: z.string() });
const UsedBySchema = z.object({ tokens: z.array(z.string()), clients: z.array(z.object({ client: z.string(), file: z.string() })) });
/** A narrowing applied on top of a shipped profile (its include and servers must also hold). */
const LayerSchema = z.object({ source: z.enum(['org', 'user']), include: z.array(z.string()).optional(), servers: ProfileSchema.shape.servers.optional() });

export const ProfileSummarySchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  source: ProfileSourceSchema,
  narrowedBy: z.array(z.enum(['org', 'user'])),
  /** Configured, enabled, admitted servers of the profile. */
  servers: z.array(z.string()),
  missing: z.array(MissingServerSchema),
  usedBy: UsedBySchema,
});
export type ProfileSummary = z.infer<typeof ProfileSummarySchema>;

export const ProfileDetailSchema = ProfileSummarySchema.extend({
  /** The effective profile (a shipped one with the narrowings merged in). */
  profile: ProfileSchema,
  layers: z.array(LayerSchema),
  /** Parts of a narrowing left out because they would widen the shipped profile. */
  ignored: z.array(z.string()),
  /** The entry in config.json, when there is one (a shipped profile's is the user's narrowing). */
  configured: ProfileSchema.optional(),
});
export type ProfileDetail = z.infer<typeof ProfileDetailSchema>;

const ListedToolSchema = z.looseObject({ name: z.string(), description: z.string().optional(), inputSchema: z.unknown() });
export const PreviewToolSchema = z.object({
  exposedName: z.string(),
  serverId: z.string(),
  toolName: z.string(),
  visibility: z.enum(['visible', 'deferred']),
  description: z.string().optional(),
});
export const ProfilePreviewSchema = z.object({
  name: z.string(),
  /** Exactly what a client of the profile gets in tools/list: the visible tools, and find_tools/load_tools/call_tool when any tool is deferred. */
  listed: z.array(ListedToolSchema),
  /** Every tool of the profile, visible first. */
  tools: z.array(PreviewToolSchema),
  excluded: z.array(z.object({ serverId: z.string(), toolName: z.string() })),
  counts: z.object({ visible: z.number().int(), deferred: z.number().int(), excluded: z.number().int(), maxVisible: z.number().int().optional() }),
  servers: z.array(z.string()),
  missing: z.array(MissingServerSchema),
  /** Per server: "live" (a running server, as its clients see it), "pins" (the tools last seen) or "none" (never seen). */
  toolsFrom: z.record(z.string(), z.enum(['live', 'pins', 'none'])),
});
export type ProfilePreview = z.infer<typeof ProfilePreviewSchema>;

const NameInput = z.object({ name: ProfileNameSchema }).strict();

export const profilesContract = {
  'profiles.list': method(z.object({}).strict(), z.object({ profiles: z.array(ProfileSummarySchema) }), 'Every profile (config, policy-shipped, the built-in default) with its servers, missing servers and who uses it'),
  'profiles.show': method(NameInput, ProfileDetailSchema, 'One effective profile: its definition, narrowings, missing servers with why, and the tokens and client files bound to it'),
  'profiles.create': method(z.object({ profile: ProfileSchema }).strict(), ProfileDetailSchema, 'Save a new profile in config.json (refused when two tools would get the same name, or when it would widen a profile policy ships)'),
  'profiles.edit': method(z.object({ name: ProfileNameSchema, profile: ProfileSchema }).strict(), ProfileDetailSchema, 'Replace a profile in config.json (same checks as create)'),
  'profiles.remove': method(NameInput, z.object({ removed: z.string() }), 'Remove a profile from config.json (refused while a token or a linked client uses it)'),
  'profiles.preview': method(
    z.object({ name: ProfileNameSchema.optional(), profile: ProfileSchema.optional() }).strict().refine((i) => (i.name === undefined) !== (i.profile === undefined), { message: 'give either the name of a profile or an unsaved profile' }),
    ProfilePreviewSchema,
    'Exactly what a client of the profile sees in tools/list, and where each tool comes from; takes a saved profile by name or an unsaved one',
  ),
};
