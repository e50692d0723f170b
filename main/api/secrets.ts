// Handlers of the secrets API: values go into the keychain, only names come back out.
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { secretsContract } from '../../shared/api/secrets.ts';
import { KeychainUnavailableError, type SecretStore } from '../secrets/secret-store.ts';

export interface SecretsHandlerDeps {
  secretStore: SecretStore;
}

export function createSecretsHandlers(deps: SecretsHandlerDeps): Handlers<typeof secretsContract> {
  return {
    'secrets.list': () => keychain(async () => ({ names: await deps.secretStore.list() })),
    'secrets.set': ({ name, value }) => keychain(async () => {
      await deps.secretStore.set(name, value);
      return { name };
    }),
    'secrets.delete': ({ name }) => keychain(async () => ({ deleted: await deps.secretStore.delete(name) })),
  };
}

/** A missing keychain is `unavailable` (the UI says what to start), not an internal error. */
async function keychain<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof KeychainUnavailableError) throw new ApiError({ code: 'unavailable', message: error.message });
    throw error;
  }
}
