// Handlers of the start-at-login contract over the StartAtLogin service.
import type { Handlers } from '../../shared/api/define.ts';
import type { autostartContract } from '../../shared/api/autostart.ts';
import type { StartAtLogin } from '../autostart/start-at-login.ts';

export function createAutostartHandlers(startAtLogin: StartAtLogin): Handlers<typeof autostartContract> {
  return {
    'startAtLogin.get': async () => startAtLogin.effective(),
    'startAtLogin.set': async ({ enabled }) => startAtLogin.set(enabled),
  };
}
