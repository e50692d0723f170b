// Whether the daemon starts at login: settings.startAtLogin, or what a policy decides. The same
// for the desktop app (which mirrors it to the OS login item) and `switchboard service`.
import { z } from 'zod';
import { method } from './define.ts';

export const StartAtLoginStateSchema = z.object({
  enabled: z.boolean(),
  /** Who decides: a policy source, or "user" (settings.startAtLogin). */
  source: z.enum(['managed', 'org', 'user', 'default']),
  locked: z.boolean(),
});

export const autostartContract = {
  'startAtLogin.get': method(z.object({}).strict(), StartAtLoginStateSchema, 'Whether the daemon starts at login, and who decides it'),
  'startAtLogin.set': method(z.object({ enabled: z.boolean() }).strict(), StartAtLoginStateSchema, 'Set settings.startAtLogin (refused when a policy decides it)'),
};
