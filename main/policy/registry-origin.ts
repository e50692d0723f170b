// Whether a server's registry name is confirmed. A `registryName` in config.json is a claim
// anyone can write next to any command, so policy trusts a name only when the record of where the
// server was installed from (`installedFrom`, written when a server is installed from a registry)
// names it and what the server runs is what that registry entry lists: the package its launch
// command really runs, or the remote URL. No install path writes that record yet, so today every
// claimed name is unconfirmed and matches no allowlist entry.
import type { PackageRef, ServerConfig } from '../../shared/config.ts';

/** Where a server came from, as the registry install records it. */
export interface InstalledFrom {
  /** The registry's base URL. */
  readonly registry: string;
  /** The server's name in that registry (e.g. "io.github.modelcontextprotocol/server-everything"). */
  readonly name: string;
  readonly version?: string;
  /** The package the registry entry lists (stdio servers). */
  readonly package?: PackageRef;
  /** The remote URL the registry entry lists (remote servers). */
  readonly url?: string;
}

/** A configured server, with its install record once config.json carries one. */
export type ServerWithOrigin = ServerConfig & { readonly installedFrom?: InstalledFrom };

/**
 * The registry name policy may match on, or undefined. `inferredPackage` is the package the
 * launch command runs (server-identity.ts inferPackage), never the config's own `package` claim.
 */
export function confirmedRegistryName(server: ServerWithOrigin, inferredPackage: PackageRef | undefined): string | undefined {
  const origin = server.installedFrom;
  if (!origin || !server.registryName || origin.name !== server.registryName) return undefined;
  if (server.transport === 'stdio') {
    const listed = origin.package;
    if (!listed || !inferredPackage) return undefined;
    if (listed.registryType !== inferredPackage.registryType || listed.identifier !== inferredPackage.identifier) return undefined;
    if (listed.version !== undefined && inferredPackage.version !== listed.version) return undefined;
    return origin.name;
  }
  return origin.url !== undefined && origin.url === server.url ? origin.name : undefined;
}
