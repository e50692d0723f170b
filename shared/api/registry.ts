// Registry API: the catalog (search across the configured registries, one entry's details and
// versions), install of an entry as a server, upgrade of an installed server to the latest
// version, and the registry status of installed servers.
import { z } from 'zod';
import { ServerConfigSchema, ServerIdSchema } from '../config.ts';
import { RegistryStatusSchema, ServerJsonSchema } from '../registry.ts';
import { method } from './define.ts';

export const CatalogPolicySchema = z.object({
  allowed: z.boolean(),
  /** The rule that refuses it (e.g. "servers.allow", "registries.only", a deny entry's name). */
  rule: z.string().optional(),
  source: z.string().optional(),
  reason: z.string().optional(),
});

export const CatalogEntrySchema = z.object({
  /** Base URL of the registry the entry comes from. */
  registry: z.string(),
  registryLabel: z.string(),
  server: ServerJsonSchema,
  status: RegistryStatusSchema,
  statusMessage: z.string().optional(),
  isLatest: z.boolean().optional(),
  publishedAt: z.string().optional(),
  /** What policy would say about the server this entry installs. */
  policy: CatalogPolicySchema,
  /** Configured servers installed from this entry, and whether a newer version exists. */
  installed: z.array(z.object({ id: z.string(), version: z.string(), updateAvailable: z.boolean() })),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const RegistrySourceStateSchema = z.object({
  url: z.string(),
  name: z.string().optional(),
  /** Who configured it: a policy source, or "default" for the official registry. */
  source: z.string(),
  /** When the shown answer was fetched, and its age in seconds. */
  fetchedAt: z.string().optional(),
  ageSeconds: z.number().optional(),
  pages: z.number().int().optional(),
  /** The answer is the cached one: why the registry could not answer now. */
  offline: z.string().optional(),
  /** Nothing to show from this registry (unreachable and nothing cached): why. */
  error: z.string().optional(),
});
export type RegistrySourceState = z.infer<typeof RegistrySourceStateSchema>;

export const SkippedEntrySchema = z.object({ registry: z.string(), name: z.string().optional(), version: z.string().optional(), reason: z.string() });

export const NeededInputSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  isSecret: z.boolean(),
  isRequired: z.boolean(),
  default: z.string().optional(),
  choices: z.array(z.string()).optional(),
  kind: z.enum(['env', 'header', 'argument', 'variable']),
});
export type NeededInputInfo = z.infer<typeof NeededInputSchema>;

export const InstalledStatusSchema = z.object({
  id: z.string(),
  registry: z.string(),
  name: z.string(),
  version: z.string(),
  status: RegistryStatusSchema,
  statusMessage: z.string().optional(),
  latestVersion: z.string().optional(),
  checkedAt: z.string(),
});

const RegistryUrlSchema = z.url({ protocol: /^https?$/ });

export const registryContract = {
  'registry.search': method(
    z.object({ query: z.string().max(200).optional(), registry: RegistryUrlSchema.optional() }).strict(),
    z.object({ entries: z.array(CatalogEntrySchema), sources: z.array(RegistrySourceStateSchema), skipped: z.array(SkippedEntrySchema) }),
    'Search the configured registries (latest versions, every page); a registry that cannot answer gives its last cached answer with its age',
  ),
  'registry.show': method(
    z.object({ name: z.string().min(1), version: z.string().min(1).optional(), registry: RegistryUrlSchema.optional() }).strict(),
    z.object({
      entry: CatalogEntrySchema,
      versions: z.array(z.object({ version: z.string(), status: RegistryStatusSchema, isLatest: z.boolean().optional(), publishedAt: z.string().optional() })),
      inputs: z.array(NeededInputSchema),
      source: RegistrySourceStateSchema,
    }),
    'One registry entry (a version, default latest): details, versions, what installing it asks for, and what policy says',
  ),
  'registry.install': method(
    z.object({
      name: z.string().min(1),
      version: z.string().min(1).optional(),
      registry: RegistryUrlSchema.optional(),
      id: ServerIdSchema.optional(),
      /** Input values by name (environment variables, headers, arguments, variables); secret ones go to the keychain only. */
      values: z.record(z.string(), z.string()).default({}),
      packageIndex: z.number().int().nonnegative().optional(),
      remoteIndex: z.number().int().nonnegative().optional(),
    }).strict(),
    z.object({ server: ServerConfigSchema, secrets: z.array(z.string()), warnings: z.array(z.string()) }),
    'Install a registry entry as a server: its launch command or URL, inputs (secrets to the keychain) and installedFrom',
  ),
  'registry.upgrade': method(
    z.object({ id: ServerIdSchema }).strict(),
    z.object({ id: z.string(), from: z.string(), to: z.string(), changed: z.boolean(), before: ServerConfigSchema, after: ServerConfigSchema }),
    'Move a server installed from a registry to the latest version of its entry',
  ),
  'registry.status': method(
    z.object({}).strict(),
    z.object({ servers: z.array(InstalledStatusSchema) }),
    'Registry status (active, deprecated, deleted) of each installed server\'s version, and the latest version',
  ),
};
