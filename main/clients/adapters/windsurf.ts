// Windsurf: ~/.codeium/windsurf/mcp_config.json (%USERPROFILE% on Windows), {"mcpServers": {...}};
// remote entries use "serverUrl" (a Cursor-style "url" is read too).
import type { ClientAdapter } from '../adapter.ts';
import { pathApi } from '../adapter.ts';
import { linkedMcpEntry, readMcpEntry, topLevelMap } from './mcp-servers-format.ts';

export const windsurfAdapter: ClientAdapter = {
  id: 'windsurf',
  displayName: 'Windsurf',
  linkMode: 'url',
  configFiles: (env) => [{ path: pathApi(env).join(env.home, '.codeium', 'windsurf', 'mcp_config.json'), scope: 'user' }],
  installMarkers: (env) => [pathApi(env).join(env.home, '.codeium', 'windsurf')],
  serverMaps: topLevelMap('mcpServers'),
  readEntry: readMcpEntry,
  linkedEntry: (target) => linkedMcpEntry(target, { urlKey: 'serverUrl', writesType: false }),
};
