// Link: rewrite each server entry of a client's file to go through the app (bridge command or URL
// with a bearer token). Unlink: put the originals back — byte for byte when nobody touched the file
// since, otherwise only the entries we wrote and that are still as we wrote them. Status: linked,
// drifted (someone changed an entry we wrote) or unlinked.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClientLink, LinkStatus, LinkedEntry } from '../../shared/clients.ts';
import type { ClientAdapter, ClientEntry, LinkTarget } from './adapter.ts';
import type { ClientImporter, ImportReport } from './client-importer.ts';
import type { ConfigAccess } from './config-access.ts';
import { canonicalJson, editJsonc, parseJsonc, readJsoncDocument, sha256, valueAt, writeWithBackup } from './jsonc-document.ts';
import type { LinkEndpoint } from './link-endpoint.ts';
import { isSecretValue } from './secret-detection.ts';
import type { ClientTokenIssuer } from './token-issuer.ts';

export interface ClientLinkerDeps {
  config: ConfigAccess;
  importer: ClientImporter;
  endpoint: LinkEndpoint;
  tokens: ClientTokenIssuer;
  /**
   * The servers a profile serves (configured, admitted), or a string saying why it cannot be
   * linked (no such profile); for `link --profile`.
   */
  profileServers?: (profile: string) => readonly string[] | string;
  /** Policy admission: why a server may not be linked (naming the rule), or undefined when it may. */
  refuse?: (serverId: string) => Promise<string | undefined>;
  /**
   * Whether `file` is one of the client's per-user files (default: none is). Anything else counts
   * as a project file, which a team may commit: it gets no token (see link()).
   */
  scopeOf?: (adapter: ClientAdapter, file: string) => 'user' | 'project';
  now?: () => Date;
}

export interface LinkReport {
  file: string;
  backup: string;
  linked: Array<{ name: string; serverId: string }>;
  /** Entries left as they were because policy does not admit their server. */
  refused: Array<{ name: string; serverId: string; reason: string }>;
  /**
   * The import done for this link. Its warnings are everything the user should read about the
   * link besides `linked` and `refused` (the CLI and the API print them): the import's own
   * warnings, each entry left as it was and why ("skipped <name>: <reason>", as `client import`
   * says), and that the backup keeps inline secrets the import moved to the keychain.
   */
  import: ImportReport;
}

export interface UnlinkReport {
  file: string;
  /** "exact": the pre-link bytes are back; "entries": the file was edited since, only our entries were restored. */
  restored: 'exact' | 'entries';
  /** Entries someone changed after we linked them; left as they are. */
  keptChanged: string[];
  backup: string;
}

export interface EntryStatus {
  name: string;
  serverId: string;
  status: LinkStatus;
  /** Why a drifted entry is drifted. */
  reason?: string;
}

export class ClientLinker {
  private readonly deps: ClientLinkerDeps;
  private readonly now: () => Date;

  constructor(deps: ClientLinkerDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
  }

  async link(adapter: ClientAdapter, file: string, options: { profile?: string } = {}): Promise<LinkReport> {
    if (options.profile !== undefined) return this.linkProfile(adapter, file, options.profile);
    const absolute = path.resolve(file);
    const existing = await this.findLink(absolute);
    if (existing) throw new Error(`${absolute} is already linked (since ${existing.linkedAt}); unlink it first`);
    const doc = await readJsoncDocument(absolute); // parse errors stop here, before anything changes
    // Project files (.vscode/mcp.json, .cursor/mcp.json, a project's .mcp.json) are often committed,
    // so they get the bridge command, which needs no secret: the local socket admits only this user.
    // A URL link's token goes into per-user files only, written 0600, and opens only the servers
    // linked in that file.
    const viaUrl = adapter.linkMode === 'url' && (this.deps.scopeOf?.(adapter, absolute) ?? 'project') === 'user';
    // So does a URL client while no stable port can be named: nothing imported, no token issued.
    if (viaUrl) this.deps.endpoint.checkUrlLinks();
    const imported = await this.deps.importer.importFile(adapter, absolute);
    const skipped = imported.skipped.map((s) => `skipped ${s.name}: ${s.reason}`);
    if (imported.entries.length === 0) {
      throw new Error(`${absolute} has no server entries to link${skipped.length > 0 ? ` (${skipped.join('; ')})` : ''}`);
    }
    const admitted: typeof imported.entries = [];
    const refused: LinkReport['refused'] = [];
    for (const entry of imported.entries) {
      const reason = await this.deps.refuse?.(entry.serverId);
      if (reason === undefined) admitted.push(entry);
      else refused.push({ name: entry.name, serverId: entry.serverId, reason });
    }
    if (admitted.length === 0) {
      throw new Error(`nothing in ${absolute} may be linked: ${refused.map((r) => `'${r.name}': ${r.reason}`).join('; ')}`);
    }

    const tokenName = viaUrl ? `client:${adapter.id}:${sha256(absolute).slice(0, 12)}` : undefined;
    const token = tokenName ? await this.deps.tokens.issue(tokenName, [...new Set(admitted.map((e) => e.serverId))]) : undefined;
    let text = doc.text;
    const entries: LinkedEntry[] = [];
    for (const entry of admitted) {
      const target: LinkTarget = !viaUrl
        ? { kind: 'bridge', ...this.deps.endpoint.bridgeCommand(entry.serverId) }
        : { kind: 'url', url: this.deps.endpoint.url(entry.serverId), token: token! };
      const value = adapter.linkedEntry(target);
      text = editJsonc(text, entry.path, value);
      entries.push({ path: entry.path, serverId: entry.serverId, sha256: sha256(canonicalJson(value)) });
    }
    const content = withBom(doc.bytes, text);
    const backup = await writeWithBackup(absolute, content, this.now(), token ? { mode: 0o600 } : {});
    const withSecrets = admitted.filter((e) => hasInlineSecret(adapter.readEntry(valueAt(doc.data, e.path)))).map((e) => e.name);
    const notes = adapter.linkMode === 'url' && !viaUrl
      ? [`${absolute} is not ${adapter.displayName}'s per-user file, so it may be shared or committed: its entries run \`switchboard bridge\` and hold no token`]
      : [];
    if (withSecrets.length > 0) notes.push(
      `the backup ${backup} keeps the file as it was, inline secrets of ${withSecrets.join(', ')} included, in plain text `
      + '(readable by you only); unlink restores the file from it: once it is deleted, those entries must be restored by hand');
    const link: ClientLink = {
      client: adapter.id, file: absolute, backup, sha256: sha256(content), linkedAt: this.now().toISOString(),
      ...(tokenName ? { tokenName } : {}), entries,
    };
    await this.deps.config.update((config) => {
      config.links = config.links.filter((l) => l.file !== absolute);
      config.links.push(link);
    });
    return {
      file: absolute, backup, linked: admitted.map((e) => ({ name: e.name, serverId: e.serverId })), refused,
      import: { ...imported, warnings: [...skipped, ...imported.warnings, ...notes] },
    };
  }

  /**
   * One entry for the whole profile: the /mcp URL with a token bound to the profile, or the
   * `bridge --profile` command. The file's own entries are imported first (as link does); those
   * whose server the profile serves are taken out (the profile entry reaches them), the others are
   * left as they were and named in the warnings.
   */
  private async linkProfile(adapter: ClientAdapter, file: string, profile: string): Promise<LinkReport> {
    const absolute = path.resolve(file);
    const existing = await this.findLink(absolute);
    if (existing) throw new Error(`${absolute} is already linked (since ${existing.linkedAt}); unlink it first`);
    const known = this.deps.profileServers?.(profile) ?? 'profiles are not available here';
    if (typeof known === 'string') throw new Error(`cannot link ${absolute} to profile "${profile}": ${known}`);
    const doc = await readJsoncDocument(absolute);
    const maps = adapter.serverMaps(doc.data);
    if (maps.length === 0) throw new Error(`${absolute} has no map of servers for ${adapter.displayName} to add the profile's entry to`);
    const entryPath = [...maps[0]!, `switchboard-${profile}`];
    if (valueAt(doc.data, entryPath) !== undefined) throw new Error(`${absolute} already has an entry "${String(entryPath.at(-1))}"; rename or remove it first`);
    const viaUrl = adapter.linkMode === 'url' && (this.deps.scopeOf?.(adapter, absolute) ?? 'project') === 'user';
    if (viaUrl) this.deps.endpoint.checkUrlLinks();
    const imported = await this.deps.importer.importFile(adapter, absolute);
    // Resolved after the import: the profile may name servers this file brings.
    const resolved = this.deps.profileServers!(profile);
    const servers = typeof resolved === 'string' ? [] : resolved;
    const served = imported.entries.filter((e) => servers.includes(e.serverId));
    const left = imported.entries.filter((e) => !servers.includes(e.serverId)).map((e) => `left ${e.name} as it was: its server '${e.serverId}' is not served by profile "${profile}"`);

    const tokenName = viaUrl ? `client:${adapter.id}:${sha256(absolute).slice(0, 12)}` : undefined;
    const token = tokenName ? await this.deps.tokens.issueForProfile(tokenName, profile) : undefined;
    const target: LinkTarget = !viaUrl
      ? { kind: 'bridge', ...this.deps.endpoint.profileBridgeCommand(profile) }
      : { kind: 'url', url: this.deps.endpoint.profileUrl(), token: token! };
    const value = adapter.linkedEntry(target);
    let text = doc.text;
    const entries: LinkedEntry[] = [];
    for (const entry of served) {
      entries.push({ path: entry.path, serverId: entry.serverId, sha256: sha256(canonicalJson(valueAt(doc.data, entry.path))), removed: true });
      text = editJsonc(text, entry.path, undefined);
    }
    text = editJsonc(text, entryPath, value);
    entries.push({ path: entryPath, serverId: profile, profile, sha256: sha256(canonicalJson(value)) });
    const content = withBom(doc.bytes, text);
    const backup = await writeWithBackup(absolute, content, this.now(), token ? { mode: 0o600 } : {});
    const link: ClientLink = {
      client: adapter.id, file: absolute, backup, sha256: sha256(content), linkedAt: this.now().toISOString(),
      ...(tokenName ? { tokenName } : {}), profile, entries,
    };
    await this.deps.config.update((config) => {
      config.links = config.links.filter((l) => l.file !== absolute);
      config.links.push(link);
    });
    const skipped = imported.skipped.map((s) => `skipped ${s.name}: ${s.reason}`);
    return {
      file: absolute, backup, linked: [{ name: String(entryPath.at(-1)), serverId: profile }], refused: [],
      import: { ...imported, warnings: [...skipped, ...imported.warnings, ...left] },
    };
  }

  async unlink(adapter: ClientAdapter, file: string): Promise<UnlinkReport> {
    const absolute = path.resolve(file);
    const link = await this.findLink(absolute);
    if (!link || link.client !== adapter.id) throw new Error(`${absolute} is not linked to ${adapter.displayName}`);
    let original: Buffer;
    try {
      original = await readFile(link.backup);
    } catch (error) {
      return this.unlinkWithoutBackup(link, error as NodeJS.ErrnoException);
    }
    const current = await readFile(absolute);
    let restored: UnlinkReport['restored'];
    const keptChanged: string[] = [];
    let content: string | Buffer;
    if (sha256(current) === link.sha256) {
      restored = 'exact';
      content = original;
    } else {
      restored = 'entries';
      const currentDoc = await readJsoncDocument(absolute);
      const originalData = parseJsonc(link.backup, original.toString('utf8').replace(/^\uFEFF/, ''));
      let text = currentDoc.text;
      for (const entry of link.entries) {
        const now = valueAt(currentDoc.data, entry.path);
        if (entry.removed) {
          // An entry a profile link took out: back in, unless someone put an entry there since.
          if (now === undefined) text = editJsonc(text, entry.path, valueAt(originalData, entry.path));
          else keptChanged.push(String(entry.path.at(-1)));
          continue;
        }
        if (now === undefined || sha256(canonicalJson(now)) !== entry.sha256) {
          keptChanged.push(String(entry.path.at(-1)));
          continue;
        }
        text = editJsonc(text, entry.path, valueAt(originalData, entry.path));
      }
      content = withBom(currentDoc.bytes, text);
    }
    const backup = await writeWithBackup(absolute, content, this.now());
    await this.deps.config.update((config) => {
      config.links = config.links.filter((l) => l.file !== absolute);
    });
    if (link.tokenName) await this.deps.tokens.revoke(link.tokenName);
    return { file: absolute, restored, keptChanged, backup };
  }

  /**
   * The pre-link copy is gone, so no original entry can come back. The rest of the link is undone
   * all the same — its record (else the file could never be linked again) and its token — and
   * what is left for the user (entries still as we wrote them) is named in the error; when no
   * entry is left as we wrote it (restored by hand already, or the file is gone) nothing is left
   * undone and unlink succeeds.
   */
  private async unlinkWithoutBackup(link: ClientLink, error: NodeJS.ErrnoException): Promise<UnlinkReport> {
    const file = link.file;
    let data: unknown;
    let unreadable: string | undefined;
    try {
      data = (await readJsoncDocument(file)).data;
    } catch (readError) {
      if ((readError as NodeJS.ErrnoException).code !== 'ENOENT') unreadable = (readError as Error).message;
    }
    const left = link.entries.filter((entry) => {
      if (unreadable !== undefined) return true;
      const value = data === undefined ? undefined : valueAt(data, entry.path);
      return value !== undefined && sha256(canonicalJson(value)) === entry.sha256;
    });
    await this.deps.config.update((config) => {
      config.links = config.links.filter((l) => l.file !== file);
    });
    if (link.tokenName) await this.deps.tokens.revoke(link.tokenName);
    const name = (entry: LinkedEntry): string => String(entry.path.at(-1));
    if (left.length === 0) return { file, restored: 'entries', keptChanged: link.entries.map(name), backup: '' };
    const undone = link.tokenName ? 'The link record was removed and its token revoked' : 'The link record was removed';
    throw new Error(`the pre-link copy ${link.backup} is missing (${error.code ?? error.message}), so the original entries of ${file} cannot be restored: `
      + `${left.map((e) => `${name(e)} (server ${e.serverId})`).join(', ')} ${unreadable ? `may still go through MCP Switchboard (the file cannot be read: ${unreadable})` : 'still go through MCP Switchboard'}`
      + `${link.tokenName ? ' and stop working now that their token is revoked' : ''}. Restore them by hand (\`switchboard server list\` shows what each server runs). `
      + `${undone}, so the file can be linked again.`, { cause: error });
  }

  async status(adapter: ClientAdapter, file: string): Promise<{ status: LinkStatus; entries: EntryStatus[] }> {
    const absolute = path.resolve(file);
    const link = await this.findLink(absolute);
    if (!link || link.client !== adapter.id) return { status: 'unlinked', entries: [] };
    let data: unknown;
    try {
      data = (await readJsoncDocument(absolute)).data;
    } catch {
      data = {};
    }
    const entries = link.entries.filter((entry) => !entry.removed).map((entry): EntryStatus => {
      const name = String(entry.path.at(-1));
      const value = valueAt(data, entry.path);
      if (value === undefined || sha256(canonicalJson(value)) !== entry.sha256) return { name, serverId: entry.serverId, status: 'drifted', reason: 'changed since it was linked' };
      // A URL linked on another port than the configured one (a `serve --port` run, or settings.httpPort changed since).
      const read = adapter.readEntry(value);
      const expected = entry.profile !== undefined ? this.deps.endpoint.stableProfileUrl() : this.deps.endpoint.stableUrl(entry.serverId);
      if (typeof read !== 'string' && read.kind === 'remote' && expected !== undefined && read.url !== expected) {
        return { name, serverId: entry.serverId, status: 'drifted', reason: `points at ${read.url}, not at the configured ${expected}; unlink and link again` };
      }
      return { name, serverId: entry.serverId, status: 'linked' };
    });
    return { status: entries.every((e) => e.status === 'linked') ? 'linked' : 'drifted', entries };
  }

  async links(): Promise<ClientLink[]> {
    return (await this.deps.config.read()).links;
  }

  private async findLink(file: string): Promise<ClientLink | undefined> {
    return (await this.deps.config.read()).links.find((l) => l.file === file);
  }
}

/** Keeps a UTF-8 byte-order mark the file had (the parser sees the text without it). */
function withBom(originalBytes: Buffer, text: string): string {
  return originalBytes[0] === 0xef && originalBytes[1] === 0xbb && originalBytes[2] === 0xbf ? `\uFEFF${text}` : text;
}

/** Whether an entry carries a value that looks secret in its env or headers (the link's backup keeps it). */
function hasInlineSecret(entry: ClientEntry | string): boolean {
  if (typeof entry === 'string') return false;
  return Object.entries(entry.kind === 'stdio' ? entry.env : entry.headers).some(([key, value]) => isSecretValue(key, value));
}
