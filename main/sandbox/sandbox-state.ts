// How a configured server runs, in the words the audit records, the inventory, `status` and the
// UI use: "bwrap network=none", "sandbox-exec network=all", "not sandboxed", "refused (…)",
// "remote". The machine's sandbox is probed only for a server with an enabled profile.
import type { ServerConfig } from '../../shared/config.ts';
import type { SandboxState, SandboxSupport } from '../../shared/sandbox.ts';
import { sandboxSupport } from './availability.ts';

export function sandboxState(server: ServerConfig | undefined, support: () => SandboxSupport = sandboxSupport): SandboxState {
  if (!server) return 'unknown';
  if (server.transport !== 'stdio') return 'remote';
  const profile = server.sandbox;
  if (!profile || !profile.enabled) return 'not sandboxed';
  const here = support();
  if (!here.available) return `refused (${here.message ?? 'no sandbox available'})`;
  return `${here.mechanism} network=${profile.network}`;
}
