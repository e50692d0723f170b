// Profiles by name as config.json has them, with the built-in `default` (every configured server,
// every tool visible, no cap), and a profile's server entries resolved against the configured
// servers. (Interim: the profile service with policy-shipped profiles supersedes profileByName.)
import type { Config } from '../../shared/config.ts';
import { DEFAULT_NAMESPACE_SEPARATOR, DEFAULT_PROFILE, type Profile } from '../../shared/profiles.ts';
import { compileServerMatcher } from '../policy/server-rules.ts';
import { identifyServer } from '../policy/server-identity.ts';

export function configProfileByName(config: () => Config): (name: string) => Profile | undefined {
  return (name) => {
    const listed = config().profiles.find((profile) => profile.name === name);
    if (listed) return listed;
    if (name !== DEFAULT_PROFILE) return undefined;
    return { name: DEFAULT_PROFILE, servers: ['*'], visibility: 'visible', separator: DEFAULT_NAMESPACE_SEPARATOR };
  };
}

/**
 * The configured servers a profile names, in the order of the profile (an id, or a matcher as in
 * policy; "*" is every server), and the entries that name none.
 */
export function resolveProfileServers(profile: Profile, config: Config): { servers: string[]; missing: { server: string; why: string }[] } {
  const servers: string[] = [];
  const missing: { server: string; why: string }[] = [];
  const add = (id: string) => {
    if (!servers.includes(id)) servers.push(id);
  };
  for (const entry of profile.servers) {
    if (typeof entry === 'string') {
      if (entry === '*') {
        for (const server of config.servers) add(server.id);
      } else if (config.servers.some((server) => server.id === entry)) {
        add(entry);
      } else {
        missing.push({ server: entry, why: `no server '${entry}' is configured` });
      }
      continue;
    }
    const matcher = compileServerMatcher(entry);
    const matched = config.servers.filter((server) => matcher.matches(identifyServer(server), 'confirmed'));
    if (matched.length === 0) missing.push({ server: matcher.name, why: `no configured server matches ${matcher.name}` });
    for (const server of matched) add(server.id);
  }
  return { servers, missing };
}
