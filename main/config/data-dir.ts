// Where the app keeps config.json, the socket and daemon.json: `--data-dir` beats
// SWITCHBOARD_DATA_DIR beats the OS default in the user's profile.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'MCP Switchboard');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'MCP Switchboard');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'mcp-switchboard');
}

export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.SWITCHBOARD_DATA_DIR) return resolve(env.SWITCHBOARD_DATA_DIR);
  return defaultDataDir(process.platform, env);
}
