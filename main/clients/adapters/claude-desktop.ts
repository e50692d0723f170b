// Claude Desktop: claude_desktop_config.json, {"mcpServers": {name: {command, args, env}}}. It only
// spawns processes from this file, so linked entries run `switchboard bridge <id>`.
import type { ClientAdapter, ClientEnvironment } from '../adapter.ts';
import { appSupportDir, pathApi } from '../adapter.ts';
import { linkedMcpEntry, readMcpEntry, topLevelMap } from './mcp-servers-format.ts';

function claudeDir(env: ClientEnvironment): string {
  return pathApi(env).join(appSupportDir(env), 'Claude');
}

export const claudeDesktopAdapter: ClientAdapter = {
  id: 'claude-desktop',
  displayName: 'Claude Desktop',
  linkMode: 'bridge',
  configFiles: (env) => [{ path: pathApi(env).join(claudeDir(env), 'claude_desktop_config.json'), scope: 'user' }],
  installMarkers: (env) => [claudeDir(env)],
  serverMaps: topLevelMap('mcpServers'),
  readEntry: readMcpEntry,
  linkedEntry: (target) => linkedMcpEntry(target, { urlKey: 'url', writesType: false }),
};
