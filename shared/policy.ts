// The policy document IT writes (managed file, signed org document) and the user's own rules,
// plus the types of the effective (merged) policy the daemon reports. JSON Schema for IT is
// generated from these schemas into resources/policy.schema.json.
import picomatch from 'picomatch';
import semver from 'semver';
import { z } from 'zod';
import { RegistriesPolicySchema } from './registry-policy.ts';
import { SandboxNetworkSchema, SandboxPathSchema } from './sandbox.ts';
import { lifecyclePolicySchema } from './lifecycle-policy.ts';
import { SloPolicySchema } from './slo-policy.ts';
import { BudgetsPolicySchema, DlpPolicySchema, InjectionPolicySchema, ValidationPolicySchema } from './content-guardrails-policy.ts';
import { BreakerPolicySchema, CachePolicySchema, IdempotencyPolicySchema, RateLimitsPolicySchema } from './flow-guardrails-policy.ts';
import { PolicyProfilesSchema } from './profiles-policy.ts';

/** How every policy glob is compiled (main/policy/glob.ts): "*" stays within one "/" segment, "**" crosses it. */
export const GLOB_OPTIONS = { dot: true, noextglob: true } as const;

/**
 * Why a glob is malformed, or undefined when it is fine. picomatch turns a glob it cannot compile
 * into a pattern that matches nothing, and takes an unclosed "[" literally; in a policy either is
 * a rule that silently never applies (or applies where the author did not mean it), so both are refused.
 */
export function globProblem(pattern: string): string | undefined {
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[' && open === -1) open = i;
    else if (c === ']') open = -1;
  }
  if (open !== -1) return `"[" at position ${open + 1} is never closed (write "\\[" for a literal bracket)`;
  try {
    picomatch.makeRe(pattern, { ...GLOB_OPTIONS, debug: true });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: \/.*\/: /, '');
  }
}

function checkGlob(pattern: string, ctx: z.RefinementCtx): void {
  const problem = globProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: `not a valid glob: ${problem}` });
}

const glob = () => z.string().min(1).superRefine(checkGlob);

export const PolicyActionSchema = z.enum(['allow', 'deny', 'ask']).describe('allow: pass; deny: refuse; ask: wait for the user\'s answer');
export type PolicyAction = z.infer<typeof PolicyActionSchema>;

export const PolicySourceSchema = z.enum(['managed', 'org', 'user']);
export type PolicySource = z.infer<typeof PolicySourceSchema>;

const serverMatcherFields = {
  server: glob().optional().describe('Glob on the server id in the app (e.g. "github*"); ids are the user\'s choice, so an entry with only this field binds nothing a user cannot rename'),
  registryName: glob().optional().describe('Glob on the MCP registry name (e.g. "io.github.modelcontextprotocol/*"); only a name confirmed by where the server was installed from counts, a name merely written in the config does not'),
  package: z.object({
    registryType: z.enum(['npm', 'pypi', 'oci']),
    identifier: glob().describe('Glob on the package identifier (e.g. "@modelcontextprotocol/*")'),
    version: z.string().min(1).refine((range) => semver.validRange(range) !== null, { message: 'not a valid semver range (e.g. "^1.2.0", ">=2 <3", "1.x")' }).optional().describe('semver range the version must satisfy; a server whose version is unknown does not satisfy a range'),
  }).strict().optional().describe('For allowlists the package is inferred from the launch command (npx, uvx, pipx run, docker run); a declared package that the command does not confirm does not count'),
  command: glob().optional().describe('Glob on the command (stdio servers only; "npx", "/usr/bin/*")'),
  args: z.array(z.string().superRefine((pattern, ctx) => {
    if (pattern !== '...') checkGlob(pattern, ctx);
  })).optional().describe('Globs matched position by position against the arguments; a final "..." matches any remaining arguments'),
  url: glob().optional().describe('Glob on the remote server URL (remote servers only; "https://mcp.example.com/**")'),
};

function hasServerField(m: { server?: string; registryName?: string; package?: unknown; command?: string; url?: string }): boolean {
  return m.server !== undefined || m.registryName !== undefined || m.package !== undefined || m.command !== undefined || m.url !== undefined;
}
const NEEDS_A_FIELD = 'a server matcher needs at least one of server, registryName, package, command or url';

/** A server entry of an allowlist or denylist. Every field given must match (AND). */
export const ServerMatcherSchema = z.object({
  id: z.string().min(1).optional().describe('Rule name shown in decisions; defaults to a description of the matcher'),
  ...serverMatcherFields,
}).strict().refine(hasServerField, { message: NEEDS_A_FIELD });
export type ServerMatcher = z.infer<typeof ServerMatcherSchema>;

/** The server a tool rule is for: the fields of a server entry, every field given must match. */
export const ToolServerMatcherSchema = z.object(serverMatcherFields).strict().refine(hasServerField, { message: NEEDS_A_FIELD })
  .describe('Which server the rule is for, by what it runs rather than by the id the user gave it: a rule for a package follows that server under any id. With it, write the server part of "match" as "*"');
export type ToolServerMatcher = z.infer<typeof ToolServerMatcherSchema>;

export const ServerRulesSchema = z.object({
  allow: z.array(ServerMatcherSchema).optional().describe('When present, a server must match one of these entries to run (allowlists of all sources intersect)'),
  deny: z.array(ServerMatcherSchema).optional().describe('A server matching any entry of any source cannot run'),
}).strict();
export type ServerRules = z.infer<typeof ServerRulesSchema>;

export const AnnotationConditionsSchema = z.object({
  destructiveHint: z.boolean().optional(),
  readOnlyHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
}).strict().describe('Tool annotation conditions; an annotation the server does not declare takes its MCP default (readOnlyHint false, destructiveHint true, idempotentHint false, openWorldHint true)');
export type AnnotationConditions = z.infer<typeof AnnotationConditionsSchema>;

export const ArgumentConditionSchema = z.object({
  path: z.string().min(1).describe('Dotted path into the call arguments ("path", "options.mode", "files.0")'),
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  matches: z.string().optional().describe('Regular expression (JavaScript syntax) the string value must match'),
  glob: z.string().superRefine(checkGlob).optional().describe('Glob the string value must match'),
  prefix: z.string().optional().describe('Prefix the string value must start with'),
}).strict().refine(
  (c) => [c.equals, c.matches, c.glob, c.prefix].filter((v) => v !== undefined).length === 1,
  { message: 'an argument condition takes exactly one of equals, matches, glob or prefix' },
).refine((c) => c.matches === undefined || isValidRegExp(c.matches), { message: 'matches is not a valid regular expression', path: ['matches'] });
export type ArgumentCondition = z.infer<typeof ArgumentConditionSchema>;

export const ToolRuleSchema = z.object({
  id: z.string().min(1).optional().describe('Rule name shown in decisions; defaults to "<action> <match>"'),
  kind: z.enum(['tool', 'prompt', 'resource']).default('tool').describe('What the rule applies to: tools/call, prompts/get (name) or resources/read (URI)'),
  server: ToolServerMatcherSchema.optional(),
  match: glob().describe('Glob on "<server id>/<tool>" (or "<server id>/<prompt>", "<server id>/<resource URI>")'),
  annotations: AnnotationConditionsSchema.optional(),
  arguments: z.array(ArgumentConditionSchema).optional().describe('All conditions must hold; a rule with argument conditions never hides a tool from tools/list'),
  action: PolicyActionSchema,
}).strict();
export type ToolRule = z.infer<typeof ToolRuleSchema>;
export type ToolRuleInput = z.input<typeof ToolRuleSchema>;

export const RememberChoiceSchema = z.enum(['once', 'session', 'always']);
export type RememberChoice = z.infer<typeof RememberChoiceSchema>;

export const ApprovalSettingsSchema = z.object({
  timeoutSeconds: z.number().positive().max(86_400).optional().describe('How long a call waits for an answer before it is denied (default 60)'),
  remember: z.array(RememberChoiceSchema).optional().describe('Which "remember" choices users get (default all); sources intersect'),
}).strict();

export const PinningSettingsSchema = z.object({
  onChange: PolicyActionSchema.optional().describe('What happens when a tool\'s name, description, input schema or annotations change after it was first seen (default ask)'),
}).strict();

export const AuditSettingsSchema = z.object({
  arguments: z.enum(['none', 'redacted', 'full']).optional().describe('How call arguments are recorded (default redacted)'),
  redactPatterns: z.array(z.string().refine(isValidRegExp, { message: 'not a valid regular expression (JavaScript syntax)' })).optional().describe('Regular expressions whose matches are redacted from recorded arguments'),
  retentionDays: z.number().int().positive().optional(),
  maxRows: z.number().int().positive().optional(),
}).strict();

export const GatewaySettingsSchema = z.object({
  url: z.url(),
  format: z.literal('otlp-json').default('otlp-json'),
  credential: z.string().min(1).optional().describe('Name of the OS keychain entry holding the bearer token'),
}).strict();

export const PublicKeySchema = z.object({
  id: z.string().min(1).describe('Key id; the signed envelope names it in keyId'),
  key: z.string().min(1).describe('Ed25519 public key: PEM (SPKI), base64 SPKI DER, or base64 of the raw 32 bytes'),
}).strict();

export const OrgSettingsSchema = z.object({
  url: z.url().describe('Where the signed org policy envelope is fetched from'),
  publicKeys: z.array(PublicKeySchema).min(1),
  refreshSeconds: z.number().int().min(10).default(900),
  required: z.boolean().default(true).describe('When true and no valid org policy (fresh or cached) is available, every server is refused (fail closed)'),
}).strict();

export const UPDATE_CHANNELS = ['latest', 'beta', 'alpha'] as const;
export const UpdateChannelSchema = z.enum(UPDATE_CHANNELS).describe('Release channel of the feed: latest (stable), beta or alpha');

/** Update feeds are fetched over HTTPS only (the files they name are verified by their sha512 and, on Windows and macOS, the code signature). */
export const UpdateFeedUrlSchema = z.url().refine((url) => new URL(url).protocol === 'https:', { message: 'the update feed must be an https:// URL' });

export const UpdatePolicySchema = z.object({
  enabled: z.boolean().optional().describe('false: the desktop app never checks for, downloads or installs updates'),
  feedUrl: UpdateFeedUrlSchema.optional().describe('The update feed (an electron-builder "generic" folder with latest.yml); wins over the user\'s settings.updates.feedUrl'),
  channel: UpdateChannelSchema.optional(),
  pin: z.string().refine((version) => semver.valid(version) !== null, { message: 'not an exact version (e.g. "1.4.2")' }).optional()
    .describe('The one version the app may run: an update to any other version is not installed; a pin below the running version installs that version (a downgrade) once the feed offers it; a pin equal to it stops update checks'),
}).strict();
export type UpdatePolicy = z.infer<typeof UpdatePolicySchema>;

/** Settings a managed or org policy can lock so the UI shows them read-only and user values are ignored. */
export const LockableSettingSchema = z.enum([
  'servers', 'tools', 'approvals.timeoutSeconds', 'approvals.remember', 'pinning.onChange',
  'audit.arguments', 'audit.redactPatterns', 'audit.retentionDays', 'audit.maxRows', 'gateway',
  'updates', 'startAtLogin',
  'dlp', 'injection', 'budgets', 'validation',
  'rateLimits', 'breaker', 'idempotency', 'cache',
]);
export type LockableSetting = z.infer<typeof LockableSettingSchema>;
export const LOCKABLE_SETTINGS = LockableSettingSchema.options;

/** One sandbox requirement: the servers it covers must run in the OS sandbox, within these limits. */
export const SandboxRequirementSchema = z.object({
  id: z.string().min(1).optional().describe('Rule name shown in refusals; defaults to "sandbox <matchers>"'),
  servers: z.array(ServerMatcherSchema).min(1).describe('Servers that must run sandboxed, any entry matching (e.g. [{"command": "**"}] for every stdio server)'),
  network: SandboxNetworkSchema.optional().describe('The network setting these servers\' profiles must have'),
  readWriteRoots: z.array(SandboxPathSchema).optional().describe('Read-write paths of these servers\' profiles must lie inside one of these roots ("~/" is the user\'s home); none outside them'),
}).strict();
export type SandboxRequirement = z.infer<typeof SandboxRequirementSchema>;

export const SandboxPolicySchema = z.object({
  require: z.array(SandboxRequirementSchema).optional().describe('Where the sandbox is required and not available (no bwrap, user namespaces disabled, Windows) the server is refused'),
}).strict().describe('Least privilege for local (stdio) servers: bubblewrap on Linux, sandbox-exec on macOS');
export type SandboxPolicy = z.infer<typeof SandboxPolicySchema>;

const policyBody = {
  servers: ServerRulesSchema.optional(),
  tools: z.array(ToolRuleSchema).optional().describe('Ordered rules; within one source the first matching rule decides'),
  approvals: ApprovalSettingsSchema.optional(),
  pinning: PinningSettingsSchema.optional(),
  audit: AuditSettingsSchema.optional(),
  gateway: GatewaySettingsSchema.optional(),
  updates: UpdatePolicySchema.optional().describe('Desktop app self-update: turn it off, pin a version, name the feed and channel'),
  startAtLogin: z.boolean().optional().describe('Whether the app starts at login; wins over the user\'s settings.startAtLogin (lock it to keep users from changing it)'),
  sandbox: SandboxPolicySchema.optional(),
  lifecycle: lifecyclePolicySchema(ServerMatcherSchema).optional(),
  registries: RegistriesPolicySchema.optional(),
  slo: SloPolicySchema.optional(),
  dlp: DlpPolicySchema.optional(),
  injection: InjectionPolicySchema.optional(),
  budgets: BudgetsPolicySchema.optional(),
  validation: ValidationPolicySchema.optional(),
  rateLimits: RateLimitsPolicySchema.optional(),
  breaker: BreakerPolicySchema.optional(),
  idempotency: IdempotencyPolicySchema.optional(),
  cache: CachePolicySchema.optional(),
  profiles: z.lazy(() => PolicyProfilesSchema).optional(), // lazy: an import cycle through shared/profiles.ts
};

export const PolicyDocumentSchema = z.object({
  $schema: z.string().optional(),
  version: z.literal(1),
  serial: z.number().int().nonnegative().optional().describe('Org documents: increases with each release; a document with a lower serial than the cached one is refused (no rollback)'),
  ...policyBody,
  org: OrgSettingsSchema.optional().describe('Managed policy only: where the signed org policy comes from'),
  locks: z.array(LockableSettingSchema).optional().describe('Settings users cannot change'),
}).strict().describe(
  'MCP Switchboard policy. Sources, strictest wins: managed file, signed org document, user settings. ' +
  'A deny anywhere wins, ask beats allow, allowlists intersect. The org document is served as the envelope ' +
  '{"policy": <this document>, "keyId": "<key id>", "signature": "<base64 Ed25519 signature>"}, signed over the ' +
  'canonical JSON of "policy" (object keys sorted by UTF-16 code unit, no whitespace, UTF-8).',
);
export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;
export type PolicyDocumentInput = z.input<typeof PolicyDocumentSchema>;

/** The `userPolicy` section of the app settings: the same vocabulary minus org, locks, and the settings users set elsewhere in settings (gateway, updates, startAtLogin). */
export const UserPolicySchema = z.object({ ...policyBody }).omit({ gateway: true, updates: true, startAtLogin: true, profiles: true }).strict();
export type UserPolicy = z.infer<typeof UserPolicySchema>;
export type UserPolicyInput = z.input<typeof UserPolicySchema>;

/** The detached-signature envelope an org server serves. */
export const SignedPolicyEnvelopeSchema = z.object({
  policy: z.unknown(),
  keyId: z.string().min(1),
  signature: z.string().min(1),
}).strict();
export type SignedPolicyEnvelope = z.infer<typeof SignedPolicyEnvelopeSchema>;

// ---- Effective policy (what `policy show` and the UI display) ----

export const SourceStatusSchema = z.object({
  source: PolicySourceSchema,
  state: z.enum(['active', 'absent', 'error', 'stale']),
  location: z.string().optional(),
  message: z.string().optional(),
  fetchedAt: z.string().optional(),
  serial: z.number().optional(),
});
export type SourceStatus = z.infer<typeof SourceStatusSchema>;

export const EffectiveToolRuleSchema = z.object({
  source: PolicySourceSchema,
  name: z.string(),
  rule: z.unknown(),
  /** Set for a managed or org rule that names servers only by id, which a user can rename. */
  warning: z.string().optional(),
});
export const EffectiveServerEntrySchema = z.object({
  source: PolicySourceSchema,
  list: z.enum(['allow', 'deny']),
  name: z.string(),
  matcher: z.unknown(),
  warning: z.string().optional(),
});

export const EffectiveSettingSchema = z.object({
  /** Absent when nothing sets it (JSON has no undefined). */
  value: z.unknown().optional(),
  source: z.enum(['managed', 'org', 'user', 'default']),
  locked: z.boolean(),
});
export type EffectiveSetting = z.infer<typeof EffectiveSettingSchema>;

export const EffectivePolicySchema = z.object({
  sources: z.array(SourceStatusSchema),
  failClosed: z.string().nullable().describe('When set, every server is refused and every call denied, for this reason'),
  servers: z.array(EffectiveServerEntrySchema),
  tools: z.array(EffectiveToolRuleSchema),
  settings: z.record(z.string(), EffectiveSettingSchema),
  locks: z.array(z.object({ setting: z.string(), source: PolicySourceSchema })),
  /** sandbox.require entries of every source. */
  sandbox: z.array(z.object({ source: PolicySourceSchema, name: z.string(), requirement: z.unknown() })).optional(),
  /**
   * The other sections each source sets (lifecycle, registries, profiles, slo and the guardrails),
   * with their content: each is read where it applies (main/lifecycle, main/guardrails…).
   */
  sections: z.array(z.object({ source: PolicySourceSchema, section: z.string(), entries: z.number().int().nullable(), value: z.unknown() })).optional(),
});
export type EffectivePolicy = z.infer<typeof EffectivePolicySchema>;

export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 60;

function isValidRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
