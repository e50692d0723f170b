// Handlers of the clients API over ClientService. A client file that does not parse is a
// conflict the user must fix (the message names file, line and column).
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { clientsContract } from '../../shared/api/clients.ts';
import type { ClientService } from '../clients/client-service.ts';
import { ClientConfigParseError } from '../clients/jsonc-document.ts';
import { LinkPortError } from '../clients/link-endpoint.ts';
import { KeychainUnavailableError } from '../secrets/secret-store.ts';

export interface ClientsHandlerDeps {
  clients: ClientService;
}

export function createClientsHandlers(deps: ClientsHandlerDeps): Handlers<typeof clientsContract> {
  const { clients } = deps;
  return {
    'clients.list': () => mapped(async () => ({ clients: await clients.list() })),
    'clients.import': ({ client, file }) => mapped(() => clients.import(client, file)),
    'clients.link': ({ client, file, profile }) => mapped(async () => {
      const r = await clients.link(client, file, profile !== undefined ? { profile } : {});
      return { file: r.file, backup: r.backup, linked: r.linked, warnings: [...r.import.warnings, ...r.refused.map((x) => `'${x.name}' was not linked: ${x.reason}`)] };
    }),
    'clients.unlink': ({ client, file }) => mapped(async () => {
      const r = await clients.unlink(client, file);
      return { file: r.file, restored: r.restored, keptChanged: r.keptChanged };
    }),
    'clients.status': ({ client, file }) => mapped(() => clients.status(client, file)),
  };
}

async function mapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ClientConfigParseError) throw new ApiError({ code: 'conflict', message: error.message });
    if (error instanceof KeychainUnavailableError) throw new ApiError({ code: 'unavailable', message: error.message });
    // Something the user must fix first (the daemon's port, a lost backup), not a missing thing.
    if (error instanceof LinkPortError || (error instanceof Error && /pre-link copy .* is missing/.test(error.message))) throw new ApiError({ code: 'conflict', message: error.message });
    if (error instanceof Error && /no .* config file found|is not linked|has no linked|ENOENT/.test(error.message)) throw new ApiError({ code: 'not_found', message: error.message });
    if (error instanceof Error && /cannot link .* to profile/.test(error.message)) throw new ApiError({ code: 'not_found', message: error.message });
    if (error instanceof Error && /already linked|already has an entry/.test(error.message)) throw new ApiError({ code: 'conflict', message: error.message });
    throw error;
  }
}
