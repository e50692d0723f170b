// Handlers of the registry contract, over the catalog, the installer and the status service.
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { registryContract } from '../../shared/api/registry.ts';
import type { ServerConfig } from '../../shared/config.ts';
import type { RegistryCatalog } from '../registry/catalog.ts';
import { InstallPlanError } from '../registry/install-plan.ts';
import { InstallRefusedError, type RegistryInstaller } from '../registry/installer.ts';
import { RegistryError, RegistryNotFoundError } from '../registry/registry-client.ts';
import type { RegistryStatusService } from '../registry/registry-status.ts';
import { KeychainUnavailableError } from '../secrets/secret-store.ts';
import { serverWarnings } from '../servers/command-check.ts';

export interface RegistryHandlerDeps {
  readonly catalog: RegistryCatalog;
  readonly installer: RegistryInstaller;
  readonly status: RegistryStatusService;
  readonly servers: () => readonly ServerConfig[];
}

export function createRegistryHandlers(deps: RegistryHandlerDeps): Handlers<typeof registryContract> {
  return {
    'registry.search': ({ query, registry }) => mapped(() => deps.catalog.search(query, registry)),
    'registry.show': ({ name, version, registry }) => mapped(async () => {
      const { response: _response, ...shown } = await deps.catalog.show(name, version, registry);
      return shown;
    }),
    'registry.install': (input) => mapped(async () => {
      const installed = await deps.installer.install(input);
      return { ...installed, warnings: serverWarnings(installed.server) };
    }),
    'registry.upgrade': ({ id }) => mapped(async () => {
      const result = await deps.installer.upgrade(id);
      if (result.changed) await deps.status.refresh();
      return { id, ...result };
    }),
    'registry.status': async () => {
      await deps.status.refresh();
      return {
        servers: deps.servers().flatMap((server) => {
          const status = deps.status.statusOf(server.id);
          const origin = server.installedFrom;
          return status && origin ? [{ id: server.id, registry: origin.registry, name: origin.name, version: origin.version, ...status }] : [];
        }),
      };
    },
  };
}

async function mapped<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InstallPlanError) {
      throw new ApiError({ code: 'invalid_input', message: error.message, issues: error.missing.map((m) => ({ path: `values.${m.name}`, message: `${m.isSecret ? 'secret ' : ''}${m.kind} ${m.name} is required${m.description ? `: ${m.description}` : ''}` })) });
    }
    if (error instanceof InstallRefusedError) throw new ApiError({ code: error.code, message: error.message });
    if (error instanceof RegistryNotFoundError) throw new ApiError({ code: 'not_found', message: error.message });
    if (error instanceof RegistryError || error instanceof KeychainUnavailableError) throw new ApiError({ code: 'unavailable', message: error.message });
    throw error;
  }
}
