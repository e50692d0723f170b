// Handlers of the servers contract, over the configuration, the supervisor and the relay hub.
// Test calls and tool lists are made as a client of their own (InProcessClient), so they pass
// the same chain as any client's call.
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { ApiError, type Caller, type Handlers } from '../../shared/api/define.ts';
import type { BreakerState } from '../../shared/api/flow-guardrails.ts';
import type { AuthFailureSummary, ServerEntry, SessionSummary, serversContract } from '../../shared/api/servers.ts';
import type { ServerConfig } from '../../shared/config.ts';
import type { ServerLifecycle } from '../../shared/lifecycle-policy.ts';
import { ProxyErrorCode } from '../base/proxy-error-codes.ts';
import { mustNotBeStoredPlain } from '../clients/secret-detection.ts';
import type { ConfigService } from '../config/config-service.ts';
import type { InProcessClient } from '../relay/in-process-client.ts';
import { proxyRefusal } from '../relay/interceptor.ts';
import type { RelayHub } from '../relay/relay-hub.ts';
import { serverWarnings } from '../servers/command-check.ts';
import { AdmissionError, ServerNotFoundError, type Supervisor } from '../servers/supervisor.ts';

export interface ServersHandlerDeps {
  /** Every change is applied to the supervisor and the sessions by the configuration's change event. */
  config: Pick<ConfigService, 'update'>;
  supervisor: Supervisor;
  hub: RelayHub;
  /** The caller's own client for test calls and tool lists (switchboard-ui, switchboard-cli). */
  calls: (caller: Caller) => InProcessClient;
  /** The server's lifecycle (main/lifecycle/), shown with its status. */
  lifecycle?: (id: string) => ServerLifecycle | undefined;
  daemonInfo: () => { pid: number; dataDir: string; httpPort: number; socketPath: string; startedAt: string; authFailures: AuthFailureSummary };
  /** The server's circuit breaker (main/guardrails/), undefined when it has none. */
  breakerState?: (serverId: string) => BreakerState | undefined;
}

export function createServersHandlers(deps: ServersHandlerDeps): Handlers<typeof serversContract> {
  const sessionsOf = (id: string): SessionSummary[] => deps.hub.sessions(id).map((relay) => ({
    sessionId: relay.session.sessionId,
    transport: relay.session.transport,
    clientLabel: relay.session.clientLabel,
    ...(relay.session.client ? { client: relay.session.client } : {}),
    ...(relay.upstreamPid !== undefined ? { pid: relay.upstreamPid } : {}),
    inflight: relay.inflightCount,
    restarts: relay.restartCount,
  }));
  const withLifecycle = <S extends { id: string }>(status: S): S => {
    const lifecycle = deps.lifecycle?.(status.id);
    return lifecycle ? { ...status, lifecycle } : status;
  };
  const withBreaker = <S extends { id: string }>(status: S): S => {
    const breaker = deps.breakerState?.(status.id);
    return breaker ? { ...status, breaker } : status;
  };
  const entry = (id: string): ServerEntry => {
    const config = deps.supervisor.config(id);
    if (!config) throw notFound(id);
    return { config, status: withBreaker(withLifecycle(guard(() => deps.supervisor.get(id)))), sessions: sessionsOf(id) };
  };
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw mapError(error);
    }
  };

  return {
    'servers.list': async () => ({ servers: deps.supervisor.list().map((status) => entry(status.id)) }),
    'servers.get': async ({ id }) => entry(id),
    'servers.add': async ({ server }) => {
      refusePlainSecrets(server as ServerConfig);
      await deps.config.update((config) => {
        if (config.servers.some((existing) => existing.id === server.id)) {
          throw new ApiError({ code: 'conflict', message: `a server with id '${server.id}' already exists; remove it first (\`switchboard server remove ${server.id}\`) or edit it` });
        }
        config.servers.push(server as ServerConfig);
      });
      return withWarnings(entry(server.id), serverWarnings(server as ServerConfig));
    },
    'servers.update': async ({ server }) => {
      refusePlainSecrets(server as ServerConfig);
      await deps.config.update((config) => {
        const index = config.servers.findIndex((existing) => existing.id === server.id);
        if (index === -1) throw notFound(server.id);
        config.servers[index] = server as ServerConfig;
      });
      return withWarnings(entry(server.id), serverWarnings(server as ServerConfig));
    },
    'servers.remove': async ({ id }) => {
      await deps.config.update((config) => {
        const before = config.servers.length;
        config.servers = config.servers.filter((existing) => existing.id !== id);
        if (config.servers.length === before) throw notFound(id);
      });
      return { removed: true as const };
    },
    'servers.start': async ({ id }) => guarded(() => deps.supervisor.start(id)),
    'servers.stop': async ({ id }) => guarded(() => deps.supervisor.stop(id)),
    'servers.restart': async ({ id }) => guarded(() => deps.supervisor.restart(id)),
    'servers.tools': async ({ id }, caller) => guarded(async () => ({ tools: await deps.calls(caller).listTools(id) })),
    'servers.logs': async ({ id }) => guarded(async () => ({ lines: deps.supervisor.logs(id) })),
    'servers.callTool': async ({ id, name, arguments: args }, caller) => guarded(async () => {
      const result = await deps.calls(caller).callTool(id, name, args);
      // The model reads a refusal as a tool error; the API and the CLI say forbidden.
      if (proxyRefusal(result)) throw new ApiError({ code: 'forbidden', message: result.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ').trim() });
      return result;
    }),
    'daemon.status': async () => ({
      ...deps.daemonInfo(),
      sessions: deps.hub.sessions().length,
      servers: deps.supervisor.list().map((status) => withBreaker(withLifecycle(status))),
    }),
  };
}

function withWarnings(entry: ServerEntry, warnings: string[]): ServerEntry {
  return warnings.length > 0 ? { ...entry, warnings } : entry;
}

function notFound(id: string): ApiError {
  return new ApiError({ code: 'not_found', message: `unknown server '${id}'` });
}

function guard<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw mapError(error);
  }
}

function mapError(error: unknown): unknown {
  if (error instanceof ServerNotFoundError) return new ApiError({ code: 'not_found', message: error.message });
  if (error instanceof AdmissionError) return new ApiError({ code: 'forbidden', message: error.message });
  // The chain refused the call (policy, approvals, pinning): its message names the rule.
  if (error instanceof McpError && error.code === ProxyErrorCode.Denied) return new ApiError({ code: 'forbidden', message: error.message.replace(/^MCP error -?\d+: /, '') });
  if (error instanceof ApiError) return error;
  return new ApiError({ code: 'unavailable', message: error instanceof Error ? error.message : String(error) });
}

/**
 * Env values and headers are written to config.json as they are, so one that is (or is named like)
 * a credential is refused, as the CLI and the client importer do: secrets live in the OS keychain
 * and config.json only names them ({ "secret": "<name>" }).
 */
function refusePlainSecrets(server: ServerConfig): void {
  const [field, values] = server.transport === 'stdio' ? ['env', server.env] as const : ['headers', server.headers] as const;
  const issues = Object.entries(values ?? {})
    .filter(([key, value]) => typeof value === 'string' && mustNotBeStoredPlain(key, value))
    .map(([key]) => ({ path: `server.${field}.${key}`, message: 'looks like a secret: store it in the keychain and refer to it by name ({ "secret": "<name>" })' }));
  if (issues.length === 0) return;
  throw new ApiError({
    code: 'invalid_input',
    message: `server '${server.id}': ${issues.map((issue) => issue.path.slice('server.'.length)).join(', ')} ${issues.length === 1 ? 'looks' : 'look'} like a secret; config.json holds values in plain text, so keep ${issues.length === 1 ? 'it' : 'them'} in the OS keychain (Secrets) and refer to ${issues.length === 1 ? 'it' : 'them'} by name`,
    issues,
  });
}
