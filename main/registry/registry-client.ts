// A client of one registry's /v0.1 API (the official MCP Registry, or a private subregistry with
// the same API): the server list with its cursor pagination and filters, one server's versions,
// one version (or `latest`). Each entry is validated on its own: a malformed server.json is
// skipped with the reason, the rest still shows. A registry that loops its cursor or never ends
// is stopped after a bounded number of pages with an error that says so.
import { ServerListEnvelopeSchema, ServerResponseSchema, type ServerResponse } from '../../shared/registry.ts';
import { formatZodIssues } from '../base/zod-issues.ts';

export interface SkippedEntry {
  /** The entry's name, when it has a readable one. */
  readonly name?: string;
  readonly version?: string;
  readonly reason: string;
}

export interface RegistryPage {
  readonly entries: ServerResponse[];
  readonly skipped: SkippedEntry[];
  readonly nextCursor?: string;
}

export interface ListQuery {
  readonly search?: string;
  readonly cursor?: string;
  readonly limit?: number;
  /** RFC 3339 time. */
  readonly updatedSince?: string;
  /** 'latest', or an exact version. */
  readonly version?: string;
}

export interface RegistryClientOptions {
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
  /** Most pages one listing follows (default 50). */
  readonly maxPages?: number;
  /** Per request (default 15 s). */
  readonly timeoutMs?: number;
}

/** A registry that could not be read (down, not a registry, an endless listing). */
export class RegistryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
  }
}

/** The registry answered 404 for a server or version. */
export class RegistryNotFoundError extends RegistryError {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryNotFoundError';
  }
}

export class RegistryClient {
  readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly maxPages: number;
  private readonly timeoutMs: number;

  constructor(options: RegistryClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
    this.maxPages = options.maxPages ?? 50;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** One page of GET /v0.1/servers. */
  async page(query: ListQuery = {}): Promise<RegistryPage> {
    const params = new URLSearchParams();
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.search) params.set('search', query.search);
    if (query.updatedSince) params.set('updated_since', query.updatedSince);
    if (query.version) params.set('version', query.version);
    const suffix = params.size > 0 ? `?${params}` : '';
    return this.list(`/v0.1/servers${suffix}`);
  }

  /** Every page of a listing, following nextCursor up to maxPages; a repeated cursor is an error. */
  async all(query: Omit<ListQuery, 'cursor'> = {}): Promise<Omit<RegistryPage, 'nextCursor'> & { pages: number }> {
    const entries: ServerResponse[] = [];
    const skipped: SkippedEntry[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await this.page({ ...query, ...(cursor ? { cursor } : {}) });
      entries.push(...page.entries);
      skipped.push(...page.skipped);
      if (!page.nextCursor) return { entries, skipped, pages };
      if (seen.has(page.nextCursor)) {
        throw new RegistryError(`registry ${this.baseUrl} sent the cursor "${page.nextCursor}" a second time after ${pages} pages: its listing loops, so it was stopped (${entries.length} entries read)`);
      }
      if (pages >= this.maxPages) {
        throw new RegistryError(`registry ${this.baseUrl} still had more after ${this.maxPages} pages (${entries.length} entries): stopped there; narrow the search`);
      }
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  /** GET /v0.1/servers/{name}/versions: every version, newest first as the registry orders them. */
  async versions(name: string): Promise<RegistryPage> {
    return this.list(`/v0.1/servers/${encodeURIComponent(name)}/versions`, name);
  }

  /** GET /v0.1/servers/{name}/versions/{version}; `latest` is the latest version. */
  async version(name: string, version = 'latest', options: { includeDeleted?: boolean } = {}): Promise<ServerResponse> {
    const query = options.includeDeleted ? '?include_deleted=true' : '';
    const body = await this.get(`/v0.1/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}${query}`, `${name} ${version}`);
    const parsed = ServerResponseSchema.safeParse(body);
    if (!parsed.success) throw new RegistryError(`registry ${this.baseUrl}: the entry ${name} ${version} is malformed: ${formatZodIssues(parsed.error, { root: 'entry' })}`);
    return parsed.data;
  }

  private async list(pathAndQuery: string, what?: string): Promise<RegistryPage> {
    const body = await this.get(pathAndQuery, what);
    const envelope = ServerListEnvelopeSchema.safeParse(body);
    if (!envelope.success) {
      throw new RegistryError(`registry ${this.baseUrl} answered ${pathAndQuery} with something that is not a /v0.1 server list (${formatZodIssues(envelope.error, { root: 'answer' })})`);
    }
    const entries: ServerResponse[] = [];
    const skipped: SkippedEntry[] = [];
    for (const raw of envelope.data.servers) {
      const parsed = ServerResponseSchema.safeParse(raw);
      if (parsed.success) entries.push(parsed.data);
      else skipped.push({ ...readableIdentity(raw), reason: formatZodIssues(parsed.error, { root: 'entry' }) });
    }
    const next = envelope.data.metadata?.nextCursor;
    return { entries, skipped, ...(next ? { nextCursor: next } : {}) };
  }

  private async get(pathAndQuery: string, what?: string): Promise<unknown> {
    const url = `${this.baseUrl}${pathAndQuery}`;
    let response: Response;
    try {
      response = await this.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'follow' });
    } catch (error) {
      throw new RegistryError(`registry ${this.baseUrl} cannot be reached: ${(error as Error).message}`, { cause: error });
    }
    if (response.status === 404 && what) throw new RegistryNotFoundError(`registry ${this.baseUrl} has no ${what}`);
    if (!response.ok) throw new RegistryError(`registry ${this.baseUrl} answered ${pathAndQuery} with HTTP ${response.status}`);
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new RegistryError(`registry ${this.baseUrl} answered ${pathAndQuery} with something that is not JSON (${JSON.stringify(text.slice(0, 60))}…)`);
    }
  }
}

function readableIdentity(raw: unknown): { name?: string; version?: string } {
  const server = (raw as { server?: { name?: unknown; version?: unknown } } | null)?.server;
  return {
    ...(typeof server?.name === 'string' ? { name: server.name } : {}),
    ...(typeof server?.version === 'string' ? { version: server.version } : {}),
  };
}
