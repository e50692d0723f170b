// The inventory IT receives, read from the supervisor: every configured server, its tools when it
// runs, and what policy says about it.
import type { ServerConfig } from '../../shared/config.ts';
import type { ServerLifecycle } from '../../shared/lifecycle-policy.ts';
import { sandboxState } from '../sandbox/sandbox-state.ts';
import type { InventoryProvider, InventoryServer } from './inventory.ts';

export interface InventoryServers {
  list(): ReadonlyArray<{ id: string; state: string }>;
  config(id: string): ServerConfig | undefined;
  tools(id: string): Promise<ReadonlyArray<{ name: string; description?: string | undefined }>>;
}

export type AdmissionVerdict = { ok: true } | { ok: false; rule: string; source: string; reason: string };

export function createInventorySource(servers: InventoryServers, admit: (server: ServerConfig) => AdmissionVerdict, lifecycleOf?: (id: string) => ServerLifecycle | undefined): InventoryProvider {
  return {
    async listServers() {
      const inventory: InventoryServer[] = [];
      for (const status of servers.list()) {
        const config = servers.config(status.id);
        if (!config) continue;
        let tools: InventoryServer['tools'] = null;
        if (status.state === 'ready') tools = await servers.tools(status.id).catch(() => null);
        const admission = admit(config);
        const policyStatus = admission.ok ? 'allowed' : `refused by ${admission.source} rule "${admission.rule}": ${admission.reason}`;
        const lifecycle = lifecycleOf?.(config.id);
        const version = lifecycle?.version ?? config.installedFrom?.version ?? config.package?.version;
        inventory.push({ ...describeServer(config), tools, policyStatus, sandbox: sandboxState(config), ...(version ? { version } : {}), ...(lifecycle ? { lifecycle } : {}) });
      }
      return inventory;
    },
  };
}

function describeServer(config: ServerConfig): Omit<InventoryServer, 'tools' | 'policyStatus' | 'sandbox' | 'version' | 'lifecycle'> {
  const base = {
    id: config.id,
    transport: config.transport,
    enabled: config.enabled,
    ...(config.registryName ? { registryName: config.registryName } : {}),
    ...(config.package ? { package: config.package } : {}),
  };
  if (config.transport === 'stdio') return { ...base, command: config.command, args: config.args };
  return { ...base, url: config.url };
}
