// The effective policy computed without a daemon (for `switchboard policy show|check` when none
// runs): the managed file, the org policy's last-known-good cache (verified, not fetched) and the
// user rules and servers from config.json.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ServerConfigSchema, type ServerConfig } from '../../shared/config.ts';
import { UserPolicySchema, type UserPolicy } from '../../shared/policy.ts';
import { OrgPolicySync } from '../orgsync/org-sync.ts';
import { PolicyEngine } from './engine.ts';
import { loadManagedPolicy } from './managed-source.ts';

export interface LocalPolicy {
  readonly engine: PolicyEngine;
  readonly servers: ServerConfig[];
  /** Problems reading config.json (the user policy is then left out). */
  readonly warnings: string[];
}

export async function loadLocalPolicy(options: { dataDir: string; managedPath: string }): Promise<LocalPolicy> {
  const warnings: string[] = [];
  const managed = await loadManagedPolicy(options.managedPath);
  let org;
  if (managed.state === 'active' && managed.policy.org) {
    const sync = new OrgPolicySync({ settings: managed.policy.org, cacheFile: path.join(options.dataDir, 'org-policy.json') });
    await sync.loadCache();
    org = sync.state();
  }
  let user: UserPolicy | undefined;
  const servers: ServerConfig[] = [];
  try {
    const config = JSON.parse(await readFile(path.join(options.dataDir, 'config.json'), 'utf8')) as { servers?: unknown[]; settings?: { userPolicy?: unknown } };
    if (config.settings?.userPolicy !== undefined) {
      const parsed = UserPolicySchema.safeParse(config.settings.userPolicy);
      if (parsed.success) user = parsed.data;
      else warnings.push(`settings.userPolicy in config.json is not valid and was left out: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    for (const raw of config.servers ?? []) {
      const parsed = ServerConfigSchema.safeParse(raw);
      if (parsed.success) servers.push(parsed.data);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`cannot read config.json: ${(error as Error).message}`);
  }
  return { engine: new PolicyEngine({ managed, ...(org ? { org } : {}), ...(user ? { user } : {}) }), servers, warnings };
}
