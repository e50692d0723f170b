// VS Code: mcp.json in the user profile folder (Code/User/mcp.json, and per profile
// Code/User/profiles/<id>/mcp.json) and <workspace>/.vscode/mcp.json. JSONC with comments;
// {"servers": {name: {type: "stdio"|"http"|"sse", ...}}, "inputs": [...]}.
import { readdirSync } from 'node:fs';
import type { ClientAdapter, ClientEnvironment } from '../adapter.ts';
import { appSupportDir, pathApi } from '../adapter.ts';
import { linkedMcpEntry, readMcpEntry, topLevelMap } from './mcp-servers-format.ts';

function userDir(env: ClientEnvironment): string {
  return pathApi(env).join(appSupportDir(env), 'Code', 'User');
}

function profileDirs(env: ClientEnvironment): string[] {
  const profiles = pathApi(env).join(userDir(env), 'profiles');
  try {
    return readdirSync(profiles, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => pathApi(env).join(profiles, d.name));
  } catch {
    return [];
  }
}

export const vscodeAdapter: ClientAdapter = {
  id: 'vscode',
  displayName: 'VS Code',
  linkMode: 'url',
  configFiles: (env) => {
    const p = pathApi(env);
    return [
      { path: p.join(userDir(env), 'mcp.json'), scope: 'user' as const },
      ...profileDirs(env).map((dir) => ({ path: p.join(dir, 'mcp.json'), scope: 'user' as const })),
      ...(env.projectDirs ?? []).map((dir) => ({ path: p.join(dir, '.vscode', 'mcp.json'), scope: 'project' as const })),
    ];
  },
  installMarkers: (env) => [userDir(env)],
  serverMaps: topLevelMap('servers'),
  readEntry: readMcpEntry,
  linkedEntry: (target) => linkedMcpEntry(target, { urlKey: 'url', writesType: true }),
};
