// AI clients the app links (Claude Desktop, Cursor, VS Code, Windsurf, Claude Code) and the record
// of what a link changed, kept in config.json so unlink can restore exactly. No secret is kept here:
// original entries stay in the backup beside the client's own file.
import { z } from 'zod';

export const CLIENT_IDS = ['claude-desktop', 'cursor', 'vscode', 'windsurf', 'claude-code'] as const;
export const ClientIdSchema = z.enum(CLIENT_IDS);
export type ClientId = z.infer<typeof ClientIdSchema>;

export const LinkStatusSchema = z.enum(['linked', 'drifted', 'unlinked']);
export type LinkStatus = z.infer<typeof LinkStatusSchema>;

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
/** A JSON path inside the client's file (jsonc-parser's JSONPath). */
export const JsonPathSchema = z.array(z.union([z.string(), z.number().int().nonnegative()]));

export const LinkedEntrySchema = z.object({
  /** Full path of the entry, e.g. ["mcpServers", "github"] or ["projects", "/src/app", "mcpServers", "db"]. */
  path: JsonPathSchema.min(1),
  serverId: z.string().min(1),
  /** SHA-256 of the entry we wrote (canonical JSON): a different value means someone changed it. */
  sha256: Sha256Schema,
  /**
   * Profile links: the one entry written for the profile (serverId is then the profile's name), or
   * (`removed`) an entry the link took out because the profile entry serves its server; sha256 is
   * then that of the original entry, put back by unlink.
   */
  profile: z.string().min(1).optional(),
  removed: z.literal(true).optional(),
}).strict();
export type LinkedEntry = z.infer<typeof LinkedEntrySchema>;

export const ClientLinkSchema = z.object({
  client: ClientIdSchema,
  /** Absolute path of the client's config file. */
  file: z.string().min(1),
  /** The file's bytes before we linked it (a timestamped copy beside it). */
  backup: z.string().min(1),
  /** SHA-256 of the file right after linking: unchanged means unlink can restore byte for byte. */
  sha256: Sha256Schema,
  linkedAt: z.iso.datetime(),
  /** Name of the bearer token (config.tokens) created for this client, for URL links. */
  tokenName: z.string().optional(),
  /** The profile a profile link serves (`client link --profile`): one entry for all its servers. */
  profile: z.string().min(1).optional(),
  entries: z.array(LinkedEntrySchema),
}).strict();
export type ClientLink = z.infer<typeof ClientLinkSchema>;

export const ClientFileStatusSchema = z.object({
  path: z.string(),
  scope: z.enum(['user', 'project']),
  exists: z.boolean(),
  servers: z.array(z.string()),
  status: LinkStatusSchema,
  /** Why the file could not be read (parse error with line and column), when it could not. */
  error: z.string().optional(),
});
export type ClientFileStatus = z.infer<typeof ClientFileStatusSchema>;

export const ClientSummarySchema = z.object({
  id: ClientIdSchema,
  name: z.string(),
  installed: z.boolean(),
  linkMode: z.enum(['bridge', 'url']),
  files: z.array(ClientFileStatusSchema),
});
export type ClientSummary = z.infer<typeof ClientSummarySchema>;
