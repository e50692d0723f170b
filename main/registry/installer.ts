// Installs a registry entry as a server, and moves an installed server to the latest version of
// its entry. The plan (install-plan.ts) says what to run; here its secrets go to the keychain
// (only there: the configuration names them), the runtime is checked on this machine, policy is
// asked first (a server it refuses is not installed), and the configuration is written with the
// installedFrom record that lets policy confirm the server's registry name later.
import type { ServerConfig } from '../../shared/config.ts';
import type { Admission } from '../policy/engine.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { RegistryCatalog } from './catalog.ts';
import type { RegistryReader } from './registry-reader.ts';
import { defaultServerId, InstallPlanError, planInstall, runtimeFor, type InstallChoice } from './install-plan.ts';

export interface InstallerDeps {
  readonly catalog: RegistryCatalog;
  readonly reader: RegistryReader;
  readonly secrets: Pick<SecretStore, 'set'>;
  readonly servers: () => readonly ServerConfig[];
  /** Applies a change to config.json (atomically, with the change event). */
  readonly updateConfig: (change: (servers: ServerConfig[]) => void) => Promise<void>;
  readonly admit: (server: ServerConfig) => Admission;
  /** Whether this machine finds the command (on the daemon's PATH). */
  readonly commandFound: (command: string) => boolean;
}

export interface InstallRequest extends InstallChoice {
  readonly name: string;
  readonly version?: string;
  readonly registry?: string;
  readonly id?: string;
  readonly values?: Readonly<Record<string, string>>;
}

/** A configured server id is taken; or policy refuses what the entry installs. */
export class InstallRefusedError extends Error {
  readonly code: 'conflict' | 'forbidden' | 'unavailable';
  constructor(message: string, code: 'conflict' | 'forbidden' | 'unavailable') {
    super(message);
    this.code = code;
    this.name = 'InstallRefusedError';
  }
}

/** Stands for a secret the upgraded server keeps: it is never written anywhere. */
const KEPT_SECRET = '\u0000kept-secret';

export class RegistryInstaller {
  private readonly deps: InstallerDeps;

  constructor(deps: InstallerDeps) {
    this.deps = deps;
  }

  async install(request: InstallRequest): Promise<{ server: ServerConfig; secrets: string[] }> {
    const source = this.deps.catalog.source(request.registry);
    const response = await this.deps.reader.read(source.url, `version ${request.name} ${request.version ?? 'latest'}`, (client) => client.version(request.name, request.version ?? 'latest'));
    if (response.offline) throw new InstallRefusedError(`registry ${source.url} cannot be reached (${response.offline}); installing needs the registry's current entry, not a cached one`, 'unavailable');
    const entry = response.value;
    const status = entry._meta?.['io.modelcontextprotocol.registry/official']?.status;
    if (status === 'deleted') throw new InstallRefusedError(`${entry.server.name} ${entry.server.version} is deleted in ${source.url}${statusNote(entry)}; install another version`, 'forbidden');
    const id = request.id ?? defaultServerId(entry.server.name);
    if (this.deps.servers().some((s) => s.id === id)) throw new InstallRefusedError(`a server with id '${id}' already exists; choose another with --id, or remove it first (\`switchboard server remove ${id}\`)`, 'conflict');
    const plan = planInstall({
      registry: source.url, entry: entry.server, id, values: request.values ?? {},
      choice: { ...(request.packageIndex !== undefined ? { packageIndex: request.packageIndex } : {}), ...(request.remoteIndex !== undefined ? { remoteIndex: request.remoteIndex } : {}) },
    });
    this.checkRuntime(plan.server, plan.runtime);
    this.checkPolicy(plan.server);
    for (const [name, value] of plan.secrets) await this.deps.secrets.set(name, value);
    await this.deps.updateConfig((servers) => {
      if (servers.some((s) => s.id === id)) throw new InstallRefusedError(`a server with id '${id}' already exists`, 'conflict');
      servers.push(plan.server);
    });
    return { server: plan.server, secrets: [...plan.secrets.keys()] };
  }

  /** Moves the server to its entry's latest version, keeping its inputs (secrets stay where they are). */
  async upgrade(id: string): Promise<{ from: string; to: string; changed: boolean; before: ServerConfig; after: ServerConfig }> {
    const before = this.deps.servers().find((s) => s.id === id);
    if (!before) throw new InstallRefusedError(`unknown server '${id}'; see \`switchboard server list\``, 'conflict');
    const origin = before.installedFrom;
    if (!origin) throw new InstallPlanError(`server '${id}' was not installed from a registry, so it has no newer version to move to (install it with \`switchboard server install <name>\`)`);
    const source = this.deps.catalog.source(origin.registry);
    const latest = await this.deps.reader.read(source.url, `version ${origin.name} latest`, (client) => client.version(origin.name, 'latest'));
    if (latest.offline) throw new InstallRefusedError(`registry ${source.url} cannot be reached (${latest.offline}); try again when it can`, 'unavailable');
    if (latest.value.server.version === origin.version) return { from: origin.version, to: origin.version, changed: false, before, after: before };
    const values: Record<string, string> = {};
    const kept = new Set<string>();
    const inputs = before.transport === 'stdio' ? before.env : before.headers;
    for (const [name, value] of Object.entries(inputs)) {
      if (typeof value === 'string') values[name] = value;
      else {
        values[name] = KEPT_SECRET;
        kept.add(value.secret);
      }
    }
    const plan = planInstall({
      registry: source.url, entry: latest.value.server, id, values,
      choice: origin.packageIndex !== undefined ? { packageIndex: origin.packageIndex } : origin.remoteIndex !== undefined ? { remoteIndex: origin.remoteIndex } : {},
    });
    for (const [name, value] of plan.secrets) {
      const keptAsItWas = value === KEPT_SECRET && kept.has(name);
      if (value.includes(KEPT_SECRET) && !keptAsItWas) {
        throw new InstallPlanError(`the new version of ${origin.name} builds ${name} differently from a secret the server has; install it again (\`switchboard server remove ${id}\`, then \`switchboard server install ${origin.name} --id ${id}\`)`);
      }
    }
    const after: ServerConfig = { ...plan.server, enabled: before.enabled, ...(before.requestTimeoutMs ? { requestTimeoutMs: before.requestTimeoutMs } : {}) };
    this.checkRuntime(after, plan.runtime);
    this.checkPolicy(after);
    for (const [name, value] of plan.secrets) if (value !== KEPT_SECRET) await this.deps.secrets.set(name, value);
    await this.deps.updateConfig((servers) => {
      const index = servers.findIndex((s) => s.id === id);
      if (index === -1) throw new InstallRefusedError(`server '${id}' was removed meanwhile`, 'conflict');
      servers[index] = after;
    });
    return { from: origin.version, to: latest.value.server.version, changed: true, before, after };
  }

  private checkRuntime(server: ServerConfig, runtime: string | undefined): void {
    if (!runtime || server.transport !== 'stdio' || this.deps.commandFound(runtime)) return;
    const known = ['npm', 'pypi', 'oci'].map(runtimeFor).find((r) => r?.command === runtime);
    throw new InstallRefusedError(`${server.installedFrom?.name ?? server.id} runs with \`${runtime}\`, which is not on this machine's PATH: ${known?.howToGet ?? `install ${runtime}`}; then install again`, 'unavailable');
  }

  private checkPolicy(server: ServerConfig): void {
    const admission = this.deps.admit(server);
    if (!admission.ok) throw new InstallRefusedError(`not installed: ${admission.reason}`, 'forbidden');
  }
}

function statusNote(entry: { _meta?: Record<string, unknown> | undefined }): string {
  const message = (entry._meta?.['io.modelcontextprotocol.registry/official'] as { statusMessage?: string } | undefined)?.statusMessage;
  return message ? ` (${message})` : '';
}
