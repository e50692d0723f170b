// Handlers of servers.sandbox / servers.setSandbox: a stdio server's sandbox profile, over the
// configuration (a changed profile restarts the server: the change event reconciles the supervisor).
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { serverSandboxContract } from '../../shared/api/servers.ts';
import type { Config, ServerConfig } from '../../shared/config.ts';
import type { SandboxSupport } from '../../shared/sandbox.ts';
import { checkedPaths, currentSandboxHost } from '../sandbox/sandbox-launch.ts';
import { sandboxView, suggestFor } from '../sandbox/sandbox-view.ts';

export interface SandboxHandlerDeps {
  readonly serverConfig: (id: string) => ServerConfig | undefined;
  readonly updateConfig: (change: (config: Config) => void) => Promise<unknown>;
  readonly support: () => SandboxSupport;
}

export function createSandboxHandlers(deps: SandboxHandlerDeps): Handlers<typeof serverSandboxContract> {
  const server = (id: string): ServerConfig => {
    const config = deps.serverConfig(id);
    if (!config) throw new ApiError({ code: 'not_found', message: `unknown server '${id}': see \`switchboard server list\`` });
    return config;
  };
  return {
    'servers.suggestSandbox': async ({ command, args, cwd }) => {
      const { available, mechanism, message } = deps.support();
      return {
        profile: suggestFor({ id: 'new', enabled: true, transport: 'stdio', command, args, env: {}, ...(cwd ? { cwd } : {}) })!,
        support: { available, mechanism, ...(message ? { message } : {}) },
      };
    },
    'servers.sandbox': async ({ id }) => sandboxView(server(id), deps.support()),
    'servers.setSandbox': async ({ id, sandbox }) => {
      if (server(id).transport !== 'stdio') {
        throw new ApiError({ code: 'invalid_input', message: `server '${id}' is remote: it is reached over the network, and no sandbox applies to it` });
      }
      if (sandbox) {
        try {
          checkedPaths(sandbox, currentSandboxHost('bwrap'));
        } catch (error) {
          throw new ApiError({ code: 'invalid_input', message: (error as Error).message.replace(/<id>/g, id) });
        }
      }
      await deps.updateConfig((config) => {
        const entry = config.servers.find((s) => s.id === id);
        if (!entry || entry.transport !== 'stdio') throw new ApiError({ code: 'not_found', message: `unknown server '${id}'` });
        if (sandbox) entry.sandbox = sandbox;
        else delete entry.sandbox;
      });
      return sandboxView(server(id), deps.support());
    },
  };
}
