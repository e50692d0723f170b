// Imports a client's servers into the app's config. Inline secrets (env vars and headers that look
// secret) move to the OS keychain and are replaced by { "secret": name } references.
import type { JSONPath } from 'jsonc-parser';
import { SERVER_ID_PATTERN, type Config, type ServerConfig, type ValueOrSecret } from '../../shared/config.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { ClientAdapter, ClientEntry } from './adapter.ts';
import type { ConfigAccess } from './config-access.ts';
import { assertNoDuplicateKeys, readJsoncDocument, valueAt } from './jsonc-document.ts';
import type { LinkEndpoint } from './link-endpoint.ts';
import { expandReferences, hasUnexpandedReference, type ExpandedEntry } from './env-references.ts';
import { isSecretValue } from './secret-detection.ts';
import { isObject } from './adapters/mcp-servers-format.ts';

export interface ImportedEntry {
  /** Name of the entry in the client's file. */
  name: string;
  path: JSONPath;
  serverId: string;
  /** "imported": added to the app; "existing": the app already had the same server. */
  outcome: 'imported' | 'existing';
  /** Keychain names of the values moved out of env/headers. */
  secrets: string[];
}

export interface ImportReport {
  client: string;
  file: string;
  entries: ImportedEntry[];
  skipped: Array<{ name: string; reason: string }>;
  /** Things the app cannot carry over as they are (client-side prompts, env files). */
  warnings: string[];
}

export interface ClientImporterDeps {
  config: ConfigAccess;
  secrets: SecretStore;
  endpoint: LinkEndpoint;
  /** Where `${VAR}` references of clients that expand them are looked up (default: process.env). */
  environment?: NodeJS.ProcessEnv;
}

export class ClientImporter {
  private readonly deps: ClientImporterDeps;

  constructor(deps: ClientImporterDeps) {
    this.deps = deps;
  }

  async importFile(adapter: ClientAdapter, file: string): Promise<ImportReport> {
    const doc = await readJsoncDocument(file);
    // A server named twice: the client runs the last, an edit would change the first.
    assertNoDuplicateKeys(doc, adapter.serverMaps(doc.data));
    const report: ImportReport = { client: adapter.id, file, entries: [], skipped: [], warnings: [] };
    const config = await this.deps.config.read();
    const added: ServerConfig[] = [];
    const taken = new Set(config.servers.map((s) => s.id));

    for (const mapPath of adapter.serverMaps(doc.data)) {
      const map = valueAt(doc.data, mapPath);
      if (!isObject(map)) continue;
      for (const [name, raw] of Object.entries(map)) {
        const path = [...mapPath, name];
        const read = adapter.readEntry(raw);
        if (typeof read === 'string') {
          report.skipped.push({ name, reason: read });
          continue;
        }
        const expanded = adapter.expandsEnvReferences ? expandReferences(name, read, this.deps.environment ?? process.env) : undefined;
        // Said on every import, for a server the app already has as for a new one.
        if (expanded) report.warnings.push(...expanded.warnings);
        const entry = expanded?.entry ?? read;
        if (entry.kind === 'remote' && (!/^https?:\/\//.test(entry.url) || !URL.canParse(entry.url))) {
          report.skipped.push({ name, reason: `"${entry.url}" is not an http(s) URL` });
          continue;
        }
        if (this.deps.endpoint.pointsHere(entry.kind === 'stdio' ? { command: entry.command, args: entry.args } : { url: entry.url })) {
          report.skipped.push({ name, reason: 'already goes through MCP Switchboard' });
          continue;
        }
        // The same server only when everything it runs with is the same: an entry that differs in
        // env, cwd or headers (a secret compared by its value in the keychain) is a server of its own.
        let same: ServerConfig | undefined;
        let lookalike: { server: ServerConfig; differences: string[] } | undefined;
        for (const server of [...config.servers, ...added]) {
          const differences = await this.differences(server, entry);
          if (differences === undefined) continue;
          if (differences.length === 0) {
            same = server;
            break;
          }
          if (!lookalike || differences.length < lookalike.differences.length) lookalike = { server, differences };
        }
        if (same) {
          report.warnings.push(...await this.secretPrompts(name, same, expanded));
          report.entries.push({ name, path, serverId: same.id, outcome: 'existing', secrets: [] });
          continue;
        }
        report.warnings.push(...clientSideFeatures(name, raw, entry, expanded !== undefined));
        const serverId = uniqueId(name, adapter.id, taken);
        taken.add(serverId);
        if (lookalike) {
          report.warnings.push(`${name}: the app's server "${lookalike.server.id}" runs the same ${entry.kind === 'stdio' ? 'command' : 'URL'} `
            + `with a different ${lookalike.differences.join(', ')}; imported as a separate server "${serverId}"`);
        }
        const secrets: string[] = [];
        const server = await this.toServer(serverId, entry, secrets, expanded);
        report.warnings.push(...await this.secretPrompts(name, server, expanded));
        added.push(server);
        report.entries.push({ name, path, serverId, outcome: 'imported', secrets });
      }
    }

    if (added.length > 0) {
      await this.deps.config.update((current: Config) => {
        for (const server of added) if (!current.servers.some((s) => s.id === server.id)) current.servers.push(server);
      });
    }
    return report;
  }

  /**
   * Undefined when `server` runs another command (or URL) than `entry`; otherwise what differs
   * between them (names only, never values), empty when they are the same server. Values the app
   * keeps in the keychain are compared by the value stored there, so a secret the import moved
   * matches the same inline value in another client's file.
   */
  private async differences(server: ServerConfig, entry: ClientEntry): Promise<string[] | undefined> {
    if (entry.kind === 'stdio') {
      if (server.transport !== 'stdio' || server.command !== entry.command || JSON.stringify(server.args) !== JSON.stringify(entry.args)) return undefined;
      const differences = await this.valueDifferences('env', server.env, entry.env);
      if ((server.cwd ?? '') !== (entry.cwd ?? '')) differences.push('cwd');
      return differences;
    }
    if (server.transport === 'stdio' || server.url !== entry.url) return undefined;
    const differences = await this.valueDifferences('header', server.headers, entry.headers);
    if (server.transport !== entry.transport) differences.unshift('transport');
    return differences;
  }

  private async valueDifferences(kind: 'env' | 'header', stored: Record<string, ValueOrSecret>, given: Record<string, string>): Promise<string[]> {
    const differences: string[] = [];
    // Header names are case-insensitive; env names are not.
    const norm = (key: string): string => (kind === 'header' ? key.toLowerCase() : key);
    const storedByName = new Map(Object.entries(stored).map(([key, value]) => [norm(key), { key, value }]));
    const givenByName = new Map(Object.entries(given).map(([key, value]) => [norm(key), { key, value }]));
    for (const name of new Set([...storedByName.keys(), ...givenByName.keys()])) {
      const s = storedByName.get(name);
      const g = givenByName.get(name);
      const label = `${kind} ${g?.key ?? s!.key}`;
      if (!s || !g) {
        differences.push(label);
        continue;
      }
      const value = typeof s.value === 'string' ? s.value : await this.deps.secrets.get(s.value.secret);
      // A keychain entry not set yet stands for a reference the environment could not expand.
      if (value === null && hasUnexpandedReference(g.value)) continue;
      if (value !== g.value) differences.push(label);
    }
    return differences;
  }

  /**
   * "Set this keychain entry": one line per env var or header that refers to a secret the
   * environment does not define, while the keychain entry the server uses is not set.
   */
  private async secretPrompts(name: string, server: ServerConfig, expanded: ExpandedEntry | undefined): Promise<string[]> {
    const prompts: string[] = [];
    for (const [key, variables] of expanded?.missingSecrets ?? []) {
      const values: Record<string, ValueOrSecret> = server.transport === 'stdio' ? server.env : server.headers;
      const ref = values[key];
      if (ref === undefined || typeof ref === 'string' || await this.deps.secrets.get(ref.secret) !== null) continue;
      const kind = server.transport === 'stdio' ? 'env' : 'header';
      prompts.push(`${name}: ${kind} ${key} refers to ${variables.map((v) => `\${${v}}`).join(', ')}, a secret not set in the app's environment; `
        + `the server reads it from the keychain: set it with \`switchboard secret set ${ref.secret}\`${kind === 'header' ? ' (the whole header value, as the client would send it)' : ''}`);
    }
    return prompts;
  }

  private async toServer(id: string, entry: ClientEntry, secrets: string[], expanded?: ExpandedEntry): Promise<ServerConfig> {
    const protect = async (kind: 'env' | 'header', values: Record<string, string>): Promise<Record<string, ValueOrSecret>> => {
      const out: Record<string, ValueOrSecret> = {};
      for (const [key, value] of Object.entries(values)) {
        const refersToSecret = expanded?.secretKeys.has(key) ?? false;
        if (!refersToSecret && !isSecretValue(key, value)) {
          out[key] = value;
          continue;
        }
        const name = `${id}.${kind}.${key.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 128);
        if (expanded?.missingSecrets.has(key)) {
          // Nothing to store: the user sets it (secretPrompts says how).
          out[key] = { secret: name };
          continue;
        }
        await this.deps.secrets.set(name, value);
        secrets.push(name);
        out[key] = { secret: name };
      }
      return out;
    };
    if (entry.kind === 'stdio') {
      return {
        id, enabled: true, transport: 'stdio', command: entry.command, args: entry.args,
        env: await protect('env', entry.env), ...(entry.cwd ? { cwd: entry.cwd } : {}),
      };
    }
    return { id, enabled: true, transport: entry.transport, url: entry.url, headers: await protect('header', entry.headers) };
  }
}

/** Values the client itself expands (VS Code's ${input:…} prompts, env files, ${workspaceFolder}) do not work in the app. */
function clientSideFeatures(name: string, raw: unknown, entry: ClientEntry, referencesExpanded: boolean): string[] {
  const warnings: string[] = [];
  // `${VAR}` of a client that expands it was dealt with on import (and warned about when left as is).
  const placeholder = referencesExpanded
    ? /\$\{(input|env|workspaceFolder|userHome|pathSeparator):[^}]*\}/
    : /\$\{(input|env|workspaceFolder|userHome|pathSeparator)[^}]*\}|\$\{[A-Z_][A-Z0-9_]*\}/;
  const values = entry.kind === 'stdio' ? entry.env : entry.headers;
  for (const [key, value] of Object.entries(values)) {
    if (placeholder.test(value)) {
      warnings.push(`${name}: ${key} is "${value}", which the client expands itself; set the real value in the app (a secret: \`switchboard secret set <name>\`)`);
    }
  }
  if (entry.kind === 'stdio') {
    for (const part of [entry.command, ...entry.args, entry.cwd ?? '']) {
      if (placeholder.test(part)) warnings.push(`${name}: "${part}" holds a placeholder the client expands itself; replace it with the real path in the app`);
    }
  } else {
    for (const [key, value] of new URL(entry.url).searchParams) {
      if (isSecretValue(key, value)) warnings.push(`${name}: the URL carries a credential in its query (${key}); it stays in the app's config — prefer a header the app can keep in the keychain`);
    }
  }
  if (isObject(raw) && typeof raw.envFile === 'string') warnings.push(`${name}: envFile "${raw.envFile}" is not read by the app; copy the variables you need into the server's env`);
  return warnings;
}

function uniqueId(name: string, clientId: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 56) || 'server';
  if (!SERVER_ID_PATTERN.test(base)) base = 'server';
  if (!taken.has(base)) return base;
  const withClient = `${base}-${clientId}`.slice(0, 64);
  if (!taken.has(withClient)) return withClient;
  for (let n = 2; n < 1000; n++) {
    const candidate = `${base.slice(0, 56)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
  throw new Error(`no free server id for "${name}"`);
}
