// Claude Code: ~/.claude.json holds user-scope servers under "mcpServers" and local-scope servers
// under "projects"[<path>]."mcpServers" (next to much else we leave alone); a project's shared
// servers are in <project>/.mcp.json. Entries carry "type": "stdio" | "http" | "sse".
import type { JSONPath } from 'jsonc-parser';
import type { ClientAdapter } from '../adapter.ts';
import { pathApi } from '../adapter.ts';
import { isObject, linkedMcpEntry, readMcpEntry } from './mcp-servers-format.ts';

function serverMaps(data: unknown): JSONPath[] {
  if (!isObject(data)) return [];
  const maps: JSONPath[] = isObject(data.mcpServers) ? [['mcpServers']] : [];
  if (isObject(data.projects)) {
    for (const [project, settings] of Object.entries(data.projects)) {
      if (isObject(settings) && isObject(settings.mcpServers)) maps.push(['projects', project, 'mcpServers']);
    }
  }
  return maps;
}

export const claudeCodeAdapter: ClientAdapter = {
  id: 'claude-code',
  displayName: 'Claude Code',
  linkMode: 'url',
  configFiles: (env) => {
    const p = pathApi(env);
    return [
      { path: p.join(env.home, '.claude.json'), scope: 'user' as const },
      ...(env.projectDirs ?? []).map((dir) => ({ path: p.join(dir, '.mcp.json'), scope: 'project' as const })),
    ];
  },
  installMarkers: (env) => [pathApi(env).join(env.home, '.claude.json'), pathApi(env).join(env.home, '.claude')],
  serverMaps,
  readEntry: readMcpEntry,
  linkedEntry: (target) => linkedMcpEntry(target, { urlKey: 'url', writesType: true }),
  expandsEnvReferences: true,
};
