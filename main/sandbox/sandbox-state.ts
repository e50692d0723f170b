// How a configured server runs, in the words the audit records, the inventory, `status` and the
// UI use: "bwrap network=none", "sandbox-exec network=all", "not sandboxed", "remote".
import type { ServerConfig } from '../../shared/config.ts';
import type { SandboxState, SandboxSupport } from '../../shared/sandbox.ts';

export function sandboxState(server: ServerConfig | undefined, support: SandboxSupport): SandboxState {
  if (!server) return 'unknown';
  if (server.transport !== 'stdio') return 'remote';
  const profile = server.sandbox;
  if (!profile || !profile.enabled) return 'not sandboxed';
  if (!support.available) return `refused (${support.message ?? 'no sandbox available'})`;
  return `${support.mechanism} network=${profile.network}`;
}
