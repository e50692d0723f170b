// The sandbox part of server admission. A policy's `sandbox.require` entries name servers that
// must run in the OS sandbox, may fix their network setting and may confine their read-write
// paths to given roots; each is checked against the server's profile. Apart from policy, a
// server whose profile asks for the sandbox is refused where there is none (fail closed, with
// what to install), so it never runs unconfined and is never restarted in a loop.
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { ServerConfig } from '../../shared/config.ts';
import type { PolicySource, SandboxRequirement } from '../../shared/policy.ts';
import type { SandboxSupport } from '../../shared/sandbox.ts';
import { isWithin } from '../sandbox/sandbox-plan.ts';
import { expandHome } from '../sandbox/sandbox-launch.ts';
import type { ServerIdentity } from './server-identity.ts';
import { compileServerMatcher, describeServerMatcher, type CompiledServerMatcher } from './server-rules.ts';

export type SandboxAdmission = { ok: true } | { ok: false; reason: string; rule: string; source: PolicySource | 'default' };

export interface CompiledSandboxRequirement {
  readonly source: PolicySource;
  readonly name: string;
  readonly requirement: SandboxRequirement;
  readonly matchers: readonly CompiledServerMatcher[];
}

export function compileSandboxRequirement(requirement: SandboxRequirement, source: PolicySource): CompiledSandboxRequirement {
  return {
    source,
    name: requirement.id ?? `sandbox ${requirement.servers.map(describeServerMatcher).join(' | ')}`,
    requirement,
    matchers: requirement.servers.map(compileServerMatcher),
  };
}

/** Where a path really is: symlinks followed when it exists, so a link cannot lead a writable path out of its root. */
function realOrResolved(p: string, home: string): string {
  const resolved = path.resolve(expandHome(p, home));
  try {
    return realpathSync(resolved);
  } catch {
    return resolved;
  }
}

export function admitSandbox(
  server: ServerConfig,
  identity: ServerIdentity,
  requirements: readonly CompiledSandboxRequirement[],
  /** Probed only when a server needs the sandbox. */
  support: () => SandboxSupport,
  home: string = process.env.HOME || homedir(),
): SandboxAdmission {
  // Remote servers are reached over the network by design; no sandbox applies to them.
  if (server.transport !== 'stdio') return { ok: true };
  const profile = server.sandbox?.enabled ? server.sandbox : undefined;
  const setHint = `set it with \`switchboard server sandbox ${server.id} set …\` or on the Servers page`;
  for (const req of requirements) {
    if (!req.matchers.some((m) => m.matches(identity, 'any'))) continue;
    const refuse = (why: string): SandboxAdmission => ({ ok: false, rule: req.name, source: req.source, reason: `server "${server.id}" ${why} (${req.source} policy: ${req.name})` });
    if (!profile) return refuse(`must run in a sandbox and has no enabled sandbox profile; ${setHint}`);
    const network = req.requirement.network;
    if (network && profile.network !== network) return refuse(`must run with sandbox network "${network}", its profile says "${profile.network}"; ${setHint}`);
    const roots = req.requirement.readWriteRoots;
    if (roots) {
      const realRoots = roots.map((r) => realOrResolved(r, home));
      const outside = profile.readWrite.find((p) => !realRoots.some((root) => isWithin(realOrResolved(p, home), root)));
      if (outside !== undefined) return refuse(`has the read-write sandbox path ${outside} outside the allowed roots (${roots.join(', ')}); ${setHint}`);
    }
    const here = support();
    if (!here.available) return refuse(`must run in a sandbox, and there is none here: ${here.message ?? 'no sandbox available'}`);
  }
  const here = profile ? support() : undefined;
  if (here && !here.available) {
    return { ok: false, rule: 'sandbox-unavailable', source: 'default', reason: `server "${server.id}" has a sandbox profile, and there is no sandbox here: ${here.message ?? 'no sandbox available'}; or disable its profile to run it unconfined` };
  }
  return { ok: true };
}
