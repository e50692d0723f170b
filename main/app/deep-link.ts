// switchboard://install?... links (one-click install from a web page or registry). A link only
// proposes a server: the UI shows exactly what would run and adds it after the user confirms.
//   switchboard://install?id=memory&command=npx&arg=-y&arg=@modelcontextprotocol/server-memory
//   switchboard://install?id=docs&url=https://mcp.example.com/mcp[&transport=sse]
import { SERVER_ID_PATTERN } from '../../shared/config.ts';
import type { EventPayload } from '../../shared/api/events.ts';

export const DEEP_LINK_SCHEME = 'switchboard';
export type InstallRequest = EventPayload<'app.install-request'>;

export type DeepLinkResult = { ok: true; request: InstallRequest } | { ok: false; error: string };

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
  const id = params.get('id') ?? '';
  if (!SERVER_ID_PATTERN.test(id)) return { ok: false, error: `invalid server id "${id}"` };
  const command = params.get('command');
  const remote = params.get('url');
  if ((command === null) === (remote === null)) return { ok: false, error: 'give exactly one of command= or url=' };
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
