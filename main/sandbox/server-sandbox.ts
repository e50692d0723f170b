// The sandbox of one configured stdio server at launch: none without an enabled profile; the
// wrapper for this machine's sandbox otherwise, or an error saying what to install when there is
// none (fail closed: a server whose profile asks for a sandbox never runs unconfined).
import type { StdioServerConfig } from '../../shared/config.ts';
import type { SandboxSupport } from '../../shared/sandbox.ts';
import { sandboxSupport } from './availability.ts';
import { currentSandboxHost, sandboxWrapper, type WrapLaunch } from './sandbox-launch.ts';

export class SandboxUnavailableError extends Error {
  constructor(serverId: string, message: string) {
    super(`server '${serverId}' must run in a sandbox, and there is none here: ${message}`);
    this.name = 'SandboxUnavailableError';
  }
}

export function serverSandbox(server: StdioServerConfig, support: SandboxSupport & { bwrapPath?: string } = sandboxSupport()): WrapLaunch | undefined {
  const profile = server.sandbox;
  if (!profile?.enabled) return undefined;
  if (!support.available || support.mechanism === 'none') throw new SandboxUnavailableError(server.id, support.message ?? 'no sandbox available');
  return sandboxWrapper(profile, currentSandboxHost(support.mechanism, support.bwrapPath));
}
