// Cursor: ~/.cursor/mcp.json (every OS) and <project>/.cursor/mcp.json, {"mcpServers": {...}} with
// stdio entries or {url, headers}. Cursor takes URLs, so linked entries use the HTTP endpoint.
import type { ClientAdapter } from '../adapter.ts';
import { pathApi } from '../adapter.ts';
import { linkedMcpEntry, readMcpEntry, topLevelMap } from './mcp-servers-format.ts';

export const cursorAdapter: ClientAdapter = {
  id: 'cursor',
  displayName: 'Cursor',
  linkMode: 'url',
  configFiles: (env) => {
    const p = pathApi(env);
    return [
      { path: p.join(env.home, '.cursor', 'mcp.json'), scope: 'user' as const },
      ...(env.projectDirs ?? []).map((dir) => ({ path: p.join(dir, '.cursor', 'mcp.json'), scope: 'project' as const })),
    ];
  },
  installMarkers: (env) => [pathApi(env).join(env.home, '.cursor')],
  serverMaps: topLevelMap('mcpServers'),
  readEntry: readMcpEntry,
  linkedEntry: (target) => linkedMcpEntry(target, { urlKey: 'url', writesType: false }),
};
