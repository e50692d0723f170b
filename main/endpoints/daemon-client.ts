// How the CLI reaches a running daemon: daemon.json gives the port and the API token, calls go
// to POST /api/<method> on loopback. A daemon.json no daemon answers for (its PID reused after a
// crash) counts as no daemon.
import { ApiError, createApiClient, type ApiClient, type ApiErrorBody, type CallTransport, type ContractSpec } from '../../shared/api/define.ts';
import { findRunningDaemon, type DaemonInfo } from './daemon-file.ts';

/** `as: 'cli'` says the CLI is calling (approvals it answers and tool calls it makes are recorded as the CLI's). */
export function httpCallTransport(info: Pick<DaemonInfo, 'httpPort' | 'apiToken'>, options: { as?: 'cli' } = {}): CallTransport {
  const caller: Record<string, string> = options.as === 'cli' ? { 'x-switchboard-caller': 'cli' } : {};
  return async (method, input) => {
    let response: Response;
    try {
      response = await fetch(`http://127.0.0.1:${info.httpPort}/api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${info.apiToken}`, ...caller },
        body: JSON.stringify(input ?? {}),
      });
    } catch (error) {
      throw new ApiError({ code: 'unavailable', message: `the daemon at 127.0.0.1:${info.httpPort} did not answer: ${(error as Error).message}` });
    }
    const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: ApiErrorBody };
    if (response.ok) return body.result;
    throw new ApiError(body.error ?? { code: 'internal', message: `HTTP ${response.status}` });
  };
}

/** A typed client for the running daemon of `dataDir`, or undefined when none runs. */
export async function connectToDaemon<C extends ContractSpec>(dataDir: string, contract: C): Promise<{ info: DaemonInfo; api: ApiClient<C> } | undefined> {
  const info = await findRunningDaemon(dataDir);
  if (!info) return undefined;
  return { info, api: createApiClient(contract, httpCallTransport(info, { as: 'cli' })) };
}
