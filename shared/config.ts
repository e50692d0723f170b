// The app's configuration file (config.json in the data folder). Secrets are never stored here:
// a value such as { "secret": "github-token" } names an entry in the OS keychain.
import { z } from 'zod';
import { ClientLinkSchema } from './clients.ts';
import { UpdateChannelSchema, UpdateFeedUrlSchema, UserPolicySchema } from './policy.ts';
import { ProfileNameSchema, ProfileSchema } from './profiles.ts';
import { ObservabilitySettingsSchema } from './observability-settings.ts';
import { SandboxProfileSchema } from './sandbox.ts';

export const SERVER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ServerIdSchema = z.string().regex(SERVER_ID_PATTERN, 'server ids are 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const SecretRefSchema = z.object({ secret: z.string().min(1) }).strict();
export type SecretRef = z.infer<typeof SecretRefSchema>;
/** A plain value, or a reference to a keychain entry resolved only when the server is spawned or called. */
export const ValueOrSecretSchema = z.union([z.string(), SecretRefSchema]);
export type ValueOrSecret = z.infer<typeof ValueOrSecretSchema>;

/** Where a server came from, when known: lets policy match by package and the inventory report it. */
export const PackageRefSchema = z.object({
  registryType: z.enum(['npm', 'pypi', 'oci']),
  identifier: z.string().min(1),
  version: z.string().optional(),
}).strict();
export type PackageRef = z.infer<typeof PackageRefSchema>;

/**
 * Where a server was installed from, written only by `server install` (never by hand: policy trusts
 * a `registryName` only when this record names it and the launch command or URL is still the one
 * the registry entry produced; main/policy/registry-origin.ts).
 */
export const InstalledFromSchema = z.object({
  /** The registry's base URL (e.g. https://registry.modelcontextprotocol.io). */
  registry: z.url(),
  /** The server's name in that registry (reverse-DNS, e.g. io.github.owner/server). */
  name: z.string().min(1),
  version: z.string().min(1),
  /** The package the launch command came from (stdio), as the entry lists it. */
  package: PackageRefSchema.optional(),
  /** Index into the entry's packages[] (stdio) or remotes[] (remote). */
  packageIndex: z.number().int().nonnegative().optional(),
  remoteIndex: z.number().int().nonnegative().optional(),
  /** The remote URL the entry lists (remote servers). */
  url: z.url().optional(),
  /** SHA-256 (hex) of the server.json's canonical JSON at install time. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  installedAt: z.iso.datetime(),
}).strict();
export type InstalledFromRecord = z.infer<typeof InstalledFromSchema>;

const serverCommon = {
  id: ServerIdSchema,
  enabled: z.boolean().default(true),
  /** Name in an MCP registry (e.g. io.github.owner/server), when known. */
  registryName: z.string().optional(),
  package: PackageRefSchema.optional(),
  installedFrom: InstalledFromSchema.optional(),
  /** How long the proxy waits for an answer to one request before failing it (ms). */
  requestTimeoutMs: z.number().int().positive().optional(),
};

export const StdioServerSchema = z.object({
  ...serverCommon,
  transport: z.literal('stdio'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), ValueOrSecretSchema).default({}),
  /**
   * Variables passed on from the daemon's environment. A server otherwise gets only the default
   * set (HOME, LOGNAME, PATH, SHELL, TERM, USER; the Windows equivalents) and its `env`.
   */
  inheritEnv: z.array(z.string().regex(ENV_NAME_PATTERN, 'environment variable names are letters, digits and "_", not starting with a digit')).optional(),
  cwd: z.string().optional(),
  /** Confine the server with the OS sandbox (bubblewrap, sandbox-exec); absent: not sandboxed. */
  sandbox: SandboxProfileSchema.optional(),
}).strict();
export type StdioServerConfig = z.infer<typeof StdioServerSchema>;

export const RemoteServerSchema = z.object({
  ...serverCommon,
  transport: z.enum(['streamable-http', 'sse']),
  /** http(s) only: the transports speak HTTP, and ftp:, file: or javascript: here are a mistake or an attack. */
  url: z.url({ protocol: /^https?$/, error: 'the URL of a remote server must start with http:// or https://' }),
  headers: z.record(z.string(), ValueOrSecretSchema).default({}),
  /** OAuth 2.1 for this remote server; tokens live in the keychain. */
  oauth: z.object({
    enabled: z.boolean().default(true),
    clientId: z.string().optional(),
    scopes: z.array(z.string()).optional(),
  }).strict().optional(),
}).strict();
export type RemoteServerConfig = z.infer<typeof RemoteServerSchema>;

export const ServerConfigSchema = z.discriminatedUnion('transport', [StdioServerSchema, RemoteServerSchema]);
export type ServerConfig = z.infer<typeof ServerConfigSchema>;

/**
 * A bearer token for an HTTP client. Only its SHA-256 is stored; the token is shown once.
 * `servers` is what it opens: a token issued by linking names the servers of the linked file, and
 * `/mcp/<id>` of any other server answers 403. A token without it (every token from before scopes
 * existed, and `token create` without --server) opens every server, as all tokens did before.
 */
export const ClientTokenSchema = z.object({
  name: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
  servers: z.array(ServerIdSchema).min(1).optional(),
  /** The profile whose federated endpoint (/mcp) this token opens; it opens no other profile. */
  profile: ProfileNameSchema.optional(),
}).strict();
export type ClientToken = z.infer<typeof ClientTokenSchema>;

export const SettingsSchema = z.object({
  /** Loopback port of the HTTP endpoint (/mcp/<server>, /api, the web UI). 0 picks a free one. */
  httpPort: z.number().int().min(0).max(65535).default(47_821),
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** Where audit records go when no policy says so. `credential` names a keychain entry. */
  gateway: z.object({
    url: z.url(),
    credential: z.string().optional(),
  }).strict().optional(),
  /** Start the app at login. The one source of truth for the UI, the CLI and the OS login item; a managed policy may set or lock it. */
  startAtLogin: z.boolean().default(false),
  /** Desktop app self-update. No feedUrl: the app never checks. A managed policy may disable, pin or redirect it. */
  updates: z.object({
    feedUrl: UpdateFeedUrlSchema.optional(),
    channel: UpdateChannelSchema.default('latest'),
  }).strict().optional(),
  /** The user's own policy rules (the weakest source: it can add restrictions, never lift managed or org ones). */
  userPolicy: UserPolicySchema.optional(),
  /** Metrics scraping, trace export, the end-user header (shared/observability-settings.ts). */
  observability: ObservabilitySettingsSchema.optional(),
}).strict();
export type Settings = z.infer<typeof SettingsSchema>;

export const ConfigSchema = z.object({
  version: z.literal(1).default(1),
  servers: z.array(ServerConfigSchema).default([]),
  tokens: z.array(ClientTokenSchema).default([]),
  /** Client config files the app linked (what it changed, where the original is), for unlink and status. */
  links: z.array(ClientLinkSchema).default([]),
  /** Named tool surfaces (shared/profiles.ts); "default" exists even when not listed. */
  profiles: z.array(ProfileSchema).default([]),
  settings: SettingsSchema.default(SettingsSchema.parse({})),
}).strict().superRefine((config, ctx) => {
  const seen = new Set<string>();
  config.servers.forEach((server, index) => {
    if (seen.has(server.id)) ctx.addIssue({ code: 'custom', path: ['servers', index, 'id'], message: `duplicate server id "${server.id}"` });
    seen.add(server.id);
  });
  const profileNames = new Set<string>();
  config.profiles.forEach((profile, index) => {
    if (profileNames.has(profile.name)) ctx.addIssue({ code: 'custom', path: ['profiles', index, 'name'], message: `duplicate profile name "${profile.name}"` });
    profileNames.add(profile.name);
  });
});
export type Config = z.infer<typeof ConfigSchema>;
