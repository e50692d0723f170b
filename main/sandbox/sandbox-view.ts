// A server's sandbox as the API, the CLI and the UI show it, and the edits `server sandbox <id>
// set …` makes to a profile. Pure apart from the suggestion's look at the file system.
import { homedir } from 'node:os';
import path from 'node:path';
import type { ServerConfig } from '../../shared/config.ts';
import { SandboxProfileSchema, type SandboxNetwork, type SandboxProfile, type SandboxSupport } from '../../shared/sandbox.ts';
import { sandboxState } from './sandbox-state.ts';
import { suggestSandboxProfile } from './suggest-profile.ts';

export interface SandboxView {
  readonly id: string;
  readonly profile: SandboxProfile | null;
  readonly suggested: SandboxProfile | null;
  readonly state: string;
  readonly support: SandboxSupport;
}

export function suggestFor(server: ServerConfig): SandboxProfile | null {
  if (server.transport !== 'stdio') return null;
  return suggestSandboxProfile(
    { command: server.command, args: server.args, ...(server.cwd ? { cwd: server.cwd } : {}) },
    { home: process.env.HOME || homedir(), env: process.env },
  );
}

export function sandboxView(server: ServerConfig, support: SandboxSupport): SandboxView {
  const { mechanism, available, message } = support;
  return {
    id: server.id,
    profile: server.transport === 'stdio' ? server.sandbox ?? null : null,
    suggested: suggestFor(server),
    state: sandboxState(server, () => support),
    support: { available, mechanism, ...(message ? { message } : {}) },
  };
}

export interface SandboxEdit {
  /** Start from the suggested profile (the existing one is replaced). */
  readonly suggest?: boolean;
  readonly enable?: boolean;
  readonly network?: SandboxNetwork;
  readonly readOnly?: readonly string[];
  readonly readWrite?: readonly string[];
  /** Paths taken out of both lists. */
  readonly remove?: readonly string[];
}

/** The profile after the edit; a new profile starts from the defaults (network none, no paths). */
export function editProfile(current: SandboxProfile | undefined, edit: SandboxEdit, suggested: SandboxProfile | null): SandboxProfile {
  let profile: SandboxProfile = edit.suggest && suggested ? { ...suggested } : current ? { ...current } : SandboxProfileSchema.parse({});
  const removed = new Set((edit.remove ?? []).map(normal));
  const keep = (list: readonly string[]) => list.filter((p) => !removed.has(normal(p)));
  const add = (list: readonly string[], more: readonly string[] = []) => [...new Set([...keep(list), ...more])];
  profile = {
    enabled: edit.enable ?? profile.enabled,
    network: edit.network ?? profile.network,
    readOnly: add(profile.readOnly, edit.readOnly),
    readWrite: add(profile.readWrite, edit.readWrite),
  };
  return SandboxProfileSchema.parse(profile);
}

function normal(p: string): string {
  return p.startsWith('~') ? p.replace(/\/+$/, '') : path.resolve(p);
}
