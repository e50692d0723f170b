// switchboard://install?... links (one-click install from a web page or registry). A link only
// proposes a server: the UI shows exactly what would run and adds it after the user confirms.
//   switchboard://install?id=memory&command=npx&arg=-y&arg=@modelcontextprotocol/server-memory
//   switchboard://install?id=docs&url=https://mcp.example.com/mcp[&transport=sse]
//   switchboard://install?name=io.github.user/weather[&version=1.2.0][&registry=https://…]
//     (a registry entry: the Catalog page shows it, with what policy says, and installs it after the user confirms)
import { SERVER_ID_PATTERN } from '../../shared/config.ts';
import type { EventPayload } from '../../shared/api/events.ts';

export const DEEP_LINK_SCHEME = 'switchboard';
export type InstallRequest = EventPayload<'app.install-request'>;

/** A registry entry to show in the Catalog. */
export interface CatalogRequest {
  readonly name: string;
  readonly version?: string;
  readonly registry?: string;
}

export type DeepLinkResult = { ok: true; request: InstallRequest } | { ok: true; catalog: CatalogRequest } | { ok: false; error: string };

const REGISTRY_NAME = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;

/** The Catalog route that shows a registry entry. */
export function catalogRoute(request: CatalogRequest): string {
  const params = new URLSearchParams({ name: request.name, ...(request.version ? { version: request.version } : {}), ...(request.registry ? { registry: request.registry } : {}) });
  return `/catalog?${params}`;
}

const MAX_LINK_LENGTH = 4096;

export function parseDeepLink(link: string): DeepLinkResult {
  if (link.length > MAX_LINK_LENGTH) return { ok: false, error: `link longer than ${MAX_LINK_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return { ok: false, error: 'not a URL' };
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) return { ok: false, error: `not a ${DEEP_LINK_SCHEME}:// link` };
  const action = (url.hostname || url.pathname.replace(/^\/+/, '')).toLowerCase();
  if (action !== 'install') return { ok: false, error: `unknown action "${action}" (only install is supported)` };
  const params = url.searchParams;
  const name = params.get('name');
  if (name !== null) {
    if (params.has('command') || params.has('url')) return { ok: false, error: 'give either name= (a registry entry) or command= / url=, not both' };
    if (!REGISTRY_NAME.test(name)) return { ok: false, error: `invalid registry name "${name}" (reverse-DNS with one "/", e.g. io.github.user/weather)` };
    const version = params.get('version');
    if (version !== null && (version === '' || version.length > 255)) return { ok: false, error: 'version= is empty or too long' };
    const registry = params.get('registry');
    if (registry !== null) {
      let parsed: URL;
      try {
        parsed = new URL(registry);
      } catch {
        return { ok: false, error: 'registry= is not a URL' };
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { ok: false, error: 'registry= must be an http(s) URL' };
    }
    return { ok: true, catalog: { name, ...(version ? { version } : {}), ...(registry ? { registry } : {}) } };
  }
  const id = params.get('id') ?? '';
  if (!SERVER_ID_PATTERN.test(id)) return { ok: false, error: `invalid server id "${id}"` };
  const command = params.get('command');
  const remote = params.get('url');
  if ((command === null) === (remote === null)) return { ok: false, error: 'give exactly one of command=, url= or name= (a registry entry)' };
  if (command !== null) {
    if (command.trim() === '') return { ok: false, error: 'command is empty' };
    return { ok: true, request: { id, transport: 'stdio', command, args: params.getAll('arg'), source: link } };
  }
  let target: URL;
  try {
    target = new URL(remote!);
  } catch {
    return { ok: false, error: 'url= is not a URL' };
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return { ok: false, error: 'remote servers must use http(s)' };
  const transport = params.get('transport') ?? 'streamable-http';
  if (transport !== 'streamable-http' && transport !== 'sse') return { ok: false, error: `unknown transport "${transport}"` };
  return { ok: true, request: { id, transport, url: target.toString(), args: [], source: link } };
}

/** The deep link in a second instance's argv (Windows/Linux pass it as an argument). */
export function findDeepLink(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}://`));
}
