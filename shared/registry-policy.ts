// The `registries` section of a policy: which MCP registries (the official one, private
// subregistries with the same /v0.1 API) the catalog reads, and whether only servers installed
// from one of them may run (VS Code's `chat.mcp.access: registry`, Copilot's "Registry only").
import { z } from 'zod';

export const RegistrySourceSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'a registry URL starts with http:// or https://' }).describe('Base URL; the /v0.1 paths are appended (e.g. "https://registry.example.com")'),
  name: z.string().min(1).max(64).optional().describe('Shown in the catalog instead of the URL'),
}).strict();
export type RegistrySource = z.infer<typeof RegistrySourceSchema>;

export const RegistriesPolicySchema = z.object({
  sources: z.array(RegistrySourceSchema).optional().describe('Registries the catalog reads, besides the official one (managed or org sources: with "only", exactly these count)'),
  only: z.boolean().optional().describe('true: only servers installed from a configured registry (their origin confirmed) may run; a server added by hand is refused'),
}).strict();
export type RegistriesPolicy = z.infer<typeof RegistriesPolicySchema>;

/** Registry URLs compare without a trailing slash. */
export function normalizeRegistryUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
