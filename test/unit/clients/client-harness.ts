// A temporary home with one client's fixture at its real path, a data folder with config.json, a
// keychain service of its own, and the ClientService wired as the daemon would wire it.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientEnvironment } from '../../../main/clients/adapter.ts';
import { ClientService } from '../../../main/clients/client-service.ts';
import { JsonConfigFile } from '../../../main/clients/config-access.ts';
import { createLinkEndpoint } from '../../../main/clients/link-endpoint.ts';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { registerClientCommands } from '../../../main/cli/clients.ts';
import { Command } from 'commander';
import { uniqueService } from '../secrets/keychain-helpers.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'clients');
export const HTTP_PORT = 47_999;

export interface Harness {
  root: string;
  home: string;
  project: string;
  dataDir: string;
  env: ClientEnvironment;
  config: JsonConfigFile;
  secrets: KeyringSecretStore;
  service: ClientService;
  place(fixture: string, relativeTo: 'home' | 'project', path: string): string;
  backups(file: string): string[];
  cleanup(): Promise<void>;
}

export function createHarness(): Harness {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-clients-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  const dataDir = join(root, 'data');
  for (const dir of [home, project, dataDir]) mkdirSync(dir, { recursive: true });
  const env: ClientEnvironment = { platform: 'linux', home, projectDirs: [project] };
  // The CLI's in-process product links URL clients to the configured port, as the daemon does.
  writeFileSync(join(dataDir, 'config.json'), `${JSON.stringify({ settings: { httpPort: HTTP_PORT } }, null, 2)}\n`, { mode: 0o600 });
  const config = new JsonConfigFile(join(dataDir, 'config.json'));
  const secrets = new KeyringSecretStore({ service: uniqueService() });
  const endpoint = createLinkEndpoint({ dataDir, httpPort: HTTP_PORT });
  const service = new ClientService({ config, secrets, endpoint, env });
  return {
    root, home, project, dataDir, env, config, secrets, service,
    place(fixture, relativeTo, path) {
      const target = join(relativeTo === 'home' ? home : project, path);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(FIXTURES, fixture), target);
      return target;
    },
    backups(file) {
      const name = file.split('/').at(-1)!;
      return readdirSync(dirname(file)).filter((f) => f.startsWith(`${name}.switchboard-`) && f.endsWith('.bak'));
    },
    async cleanup() {
      for (const name of await secrets.list()) await secrets.delete(name);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs `switchboard client <argv…>` against the harness; resolves with what it printed. */
export async function runClientCommand(h: Harness, ...argv: string[]): Promise<string> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk) => { out += String(chunk); });
  const program = new Command().exitOverride();
  registerClientCommands(program, { dataDir: h.dataDir, secretStore: h.secrets, env: h.env, stdout, managedPath: join(h.root, 'no-managed-policy.json') });
  await program.parseAsync(['node', 'switchboard', 'client', ...argv]);
  return out;
}
