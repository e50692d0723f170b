// The official MCP Registry's server.json format (static.modelcontextprotocol.io schemas, as the
// registry's docs/reference/api/openapi.yaml defines ServerDetail and ServerResponse) and the
// /v0.1 list answer. Unknown fields are kept (the format grows); what install relies on is checked.
import { z } from 'zod';

/** The base URL of the official registry. */
export const OFFICIAL_REGISTRY_URL = 'https://registry.modelcontextprotocol.io';

/** Key of the registry-managed metadata in a ServerResponse's `_meta`. */
export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';

export const InputSchema = z.looseObject({
  description: z.string().optional(),
  isRequired: z.boolean().optional(),
  format: z.enum(['string', 'number', 'boolean', 'filepath']).optional(),
  value: z.string().optional(),
  isSecret: z.boolean().optional(),
  default: z.string().optional(),
  placeholder: z.string().optional(),
  choices: z.array(z.string()).optional(),
});
export type RegistryInput = z.infer<typeof InputSchema>;

const withVariables = { ...InputSchema.shape, variables: z.record(z.string(), InputSchema).optional() };

export const PositionalArgumentSchema = z.looseObject({
  ...withVariables,
  type: z.literal('positional'),
  valueHint: z.string().optional(),
  isRepeated: z.boolean().optional(),
}).refine((a) => a.valueHint !== undefined || a.value !== undefined, { message: 'a positional argument needs valueHint or value' });

export const NamedArgumentSchema = z.looseObject({
  ...withVariables,
  type: z.literal('named'),
  name: z.string().min(1),
  isRepeated: z.boolean().optional(),
});

export const ArgumentSchema = z.union([PositionalArgumentSchema, NamedArgumentSchema]);
export type RegistryArgument = z.infer<typeof ArgumentSchema>;

export const KeyValueInputSchema = z.looseObject({ ...withVariables, name: z.string().min(1) });
export type KeyValueInput = z.infer<typeof KeyValueInputSchema>;

const URL_TEMPLATE = /^(https?:\/\/\S+|\{[a-zA-Z_][a-zA-Z0-9_]*\}\S*)$/;

export const LocalTransportSchema = z.union([
  z.looseObject({ type: z.literal('stdio') }),
  z.looseObject({ type: z.enum(['streamable-http', 'sse']), url: z.string().regex(URL_TEMPLATE), headers: z.array(KeyValueInputSchema).optional() }),
]);

export const PackageSchema = z.looseObject({
  registryType: z.string().min(1),
  registryBaseUrl: z.string().optional(),
  identifier: z.string().min(1),
  version: z.string().min(1).refine((v) => v !== 'latest', { message: 'a package version must be exact, not "latest"' }).optional(),
  fileSha256: z.string().regex(/^[a-f0-9]{64}$/).optional(),
  runtimeHint: z.string().optional(),
  transport: LocalTransportSchema,
  runtimeArguments: z.array(ArgumentSchema).optional(),
  packageArguments: z.array(ArgumentSchema).optional(),
  environmentVariables: z.array(KeyValueInputSchema).optional(),
});
export type RegistryPackage = z.infer<typeof PackageSchema>;

export const RemoteSchema = z.looseObject({
  type: z.enum(['streamable-http', 'sse']),
  url: z.string().regex(URL_TEMPLATE, 'a remote URL starts with http://, https:// or a {variable}'),
  headers: z.array(KeyValueInputSchema).optional(),
  variables: z.record(z.string(), InputSchema).optional(),
});
export type RegistryRemote = z.infer<typeof RemoteSchema>;

export const ServerJsonSchema = z.looseObject({
  $schema: z.string().optional(),
  name: z.string().min(3).max(200).regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/, 'a server name is reverse-DNS with exactly one "/" (e.g. io.github.user/weather)'),
  description: z.string().min(1),
  title: z.string().optional(),
  version: z.string().min(1).max(255),
  repository: z.looseObject({ url: z.string(), source: z.string(), id: z.string().optional(), subfolder: z.string().optional() }).optional(),
  websiteUrl: z.string().optional(),
  packages: z.array(PackageSchema).optional(),
  remotes: z.array(RemoteSchema).optional(),
});
export type ServerJson = z.infer<typeof ServerJsonSchema>;

export const RegistryStatusSchema = z.enum(['active', 'deprecated', 'deleted']);
export type RegistryStatus = z.infer<typeof RegistryStatusSchema>;

export const OfficialMetaSchema = z.looseObject({
  status: RegistryStatusSchema.optional(),
  statusMessage: z.string().optional(),
  statusChangedAt: z.string().optional(),
  publishedAt: z.string().optional(),
  updatedAt: z.string().optional(),
  isLatest: z.boolean().optional(),
});
export type OfficialMeta = z.infer<typeof OfficialMetaSchema>;

/** One entry as GET /v0.1/servers and /versions/{v} answer it. */
export const ServerResponseSchema = z.looseObject({
  server: ServerJsonSchema,
  _meta: z.looseObject({ [OFFICIAL_META_KEY]: OfficialMetaSchema.optional() }).optional(),
});
export type ServerResponse = z.infer<typeof ServerResponseSchema>;

/** The list answer, entries unchecked: each is validated on its own so one bad entry spoils nothing. */
export const ServerListEnvelopeSchema = z.looseObject({
  servers: z.array(z.unknown()),
  metadata: z.looseObject({ nextCursor: z.string().nullable().optional(), count: z.number().optional() }).optional(),
});
