// The whole API, merged from the domain contracts (each domain declares its own methods in
// shared/api/<domain>.ts). Every side derives from this one object: the daemon's handlers,
// /api over loopback, Electron IPC and the renderer's typed client.
import { z } from 'zod';
import { method } from './define.ts';
import { approvalsContract } from './approvals.ts';
import { auditContract } from './audit.ts';
import { clientsContract } from './clients.ts';
import { policyContract } from './policy.ts';
import { registryContract } from './registry.ts';
import { secretsContract } from './secrets.ts';
import { serverSandboxContract, serversContract } from './servers.ts';
import { tokensContract } from './tokens.ts';
import { updatesContract } from './updates.ts';
import { autostartContract } from './autostart.ts';
import { healthContract } from './health.ts';
import { guardrailsContract } from './guardrails.ts';
import { profilesContract } from './profiles.ts';

export { eventSchemas, EVENT_NAMES, parseApiEvent, isEventName } from './events.ts';
export type { ApiEvent, EventName, EventPayload, EventListener, EventTransport, Unsubscribe } from './events.ts';

/** Methods of the app itself: what the daemon is and which methods it serves right now. */
export const appContract = {
  'app.info': method(
    z.object({}),
    z.object({
      version: z.string(),
      dataDir: z.string(),
      mode: z.enum(['desktop', 'headless']),
      /** API methods with a handler in this daemon; the UI shows "not available" for the rest. */
      methods: z.array(z.string()),
      startAtLogin: z.boolean().optional(),
      /** The policy source that decides startAtLogin, when one does. */
      startAtLoginLockedBy: z.string().optional(),
    }),
    'The app version, data folder, run mode and the API methods this daemon serves',
  ),
  'app.setStartAtLogin': method(
    z.object({ enabled: z.boolean() }),
    z.object({ enabled: z.boolean() }),
    'Opt in or out of starting the app at login (desktop only)',
  ),
};

export const apiContract = {
  ...appContract,
  ...serversContract,
  ...serverSandboxContract,
  ...clientsContract,
  ...secretsContract,
  ...policyContract,
  ...approvalsContract,
  ...auditContract,
  ...tokensContract,
  ...updatesContract,
  ...autostartContract,
  ...registryContract,
  ...healthContract,
  ...guardrailsContract,
  ...profilesContract,
};

export type ApiContract = typeof apiContract;
export type ApiMethod = keyof ApiContract & string;
export const API_METHODS = Object.keys(apiContract) as ApiMethod[];
