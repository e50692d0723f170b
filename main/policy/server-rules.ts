// Compiled server allowlist/denylist entries.
import semver from 'semver';
import type { PackageRef } from '../../shared/config.ts';
import type { ServerMatcher, ToolServerMatcher } from '../../shared/policy.ts';
import { compileGlob } from './glob.ts';
import type { ServerIdentity } from './server-identity.ts';

/**
 * Which values count: `confirmed` (allowlists, allow rules) trusts only the package the launch
 * command runs and a confirmed registry name; `any` (denylists, deny and ask rules) also matches
 * what the config merely claims, erring on the strict side.
 */
export type Trust = 'confirmed' | 'any';

type Matcher = ServerMatcher | ToolServerMatcher;

export interface CompiledServerMatcher {
  readonly name: string;
  readonly matcher: Matcher;
  matches(server: ServerIdentity, trust: Trust): boolean;
}

/** True when the matcher names servers only by their id, which the user chooses and can change. */
export function keysOnIdOnly(m: Matcher): boolean {
  return m.registryName === undefined && m.package === undefined && m.command === undefined && m.url === undefined;
}

export function describeServerMatcher(m: Matcher): string {
  const parts: string[] = [];
  if (m.server) parts.push(`server ${m.server}`);
  if (m.registryName) parts.push(`registry ${m.registryName}`);
  if (m.package) parts.push(`${m.package.registryType}:${m.package.identifier}${m.package.version ? `@${m.package.version}` : ''}`);
  if (m.command) parts.push(`command ${[m.command, ...(m.args ?? [])].join(' ')}`);
  if (m.url) parts.push(`url ${m.url}`);
  return parts.join(', ');
}

export function compileServerMatcher(m: Matcher): CompiledServerMatcher {
  const checks: Array<(s: ServerIdentity, trust: Trust) => boolean> = [];
  if (m.server) {
    const g = compileGlob(m.server);
    checks.push((s) => g(s.id));
  }
  if (m.registryName) {
    const g = compileGlob(m.registryName);
    checks.push((s, trust) => (s.registryName !== undefined && g(s.registryName))
      || (trust === 'any' && s.claimedRegistryName !== undefined && g(s.claimedRegistryName)));
  }
  if (m.package) {
    const want = m.package;
    const g = compileGlob(want.identifier);
    const packageMatches = (p: PackageRef | undefined): boolean => {
      if (!p || p.registryType !== want.registryType || !g(p.identifier)) return false;
      if (!want.version) return true;
      if (!p.version) return false;
      const version = semver.valid(p.version) ?? semver.valid(semver.coerce(p.version));
      return version !== null && semver.satisfies(version, want.version, { includePrerelease: true });
    };
    checks.push((s, trust) => packageMatches(s.inferredPackage) || (trust === 'any' && packageMatches(s.declaredPackage)));
  }
  if (m.command) {
    const g = compileGlob(m.command);
    checks.push((s) => s.command !== undefined && g(s.command));
  }
  if (m.args) {
    const argMatchers = compileArgs(m.args);
    checks.push((s) => s.command !== undefined && argMatchers(s.args));
  }
  if (m.url) {
    const g = compileGlob(m.url);
    checks.push((s) => s.url !== undefined && g(stripQuery(s.url)));
  }
  return {
    name: ('id' in m && m.id) || describeServerMatcher(m),
    matcher: m,
    matches: (s, trust) => checks.every((check) => check(s, trust)),
  };
}

function compileArgs(patterns: readonly string[]): (args: readonly string[]) => boolean {
  const open = patterns.at(-1) === '...';
  const fixed = (open ? patterns.slice(0, -1) : patterns).map((pattern) => compileGlob(pattern));
  return (args) => {
    if (open ? args.length < fixed.length : args.length !== fixed.length) return false;
    return fixed.every((g, i) => g(args[i]!));
  };
}

function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}
