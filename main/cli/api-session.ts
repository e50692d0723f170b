// How every CLI command reaches the product: through the API. With a daemon running, over its
// loopback /api; without one, by building the same composition in this process (not listening,
// not claiming the data folder) and calling the same dispatcher. Either way a command gets the
// same policy, audit and errors as the UI; the CLI holds no second copy of them.
import { apiContract, type ApiContract } from '../../shared/api/contract.ts';
import { ApiError, createApiClient, type ApiClient } from '../../shared/api/define.ts';
import { createStderrLogger, type Logger } from '../base/logger.ts';
import { connectToDaemon } from '../endpoints/daemon-client.ts';
import type { SwitchboardOptions } from '../switchboard.ts';
import type { CliContext } from './context.ts';

export interface ApiSession {
  readonly api: ApiClient<ApiContract>;
  /** 'daemon' when a running daemon answered, 'in-process' when this process built the product. */
  readonly via: 'daemon' | 'in-process';
}

export interface ApiSessionOptions {
  /** The managed policy file (default: the OS path or $SWITCHBOARD_MANAGED_POLICY). */
  readonly managedPath?: string;
  readonly logger?: Logger;
  /** Parts of the in-process product a command (or a test) chooses: the keychain, where client files are. */
  readonly product?: Pick<SwitchboardOptions, 'secretStore' | 'clientEnvironment'>;
}

export async function withApi<T>(context: CliContext & ApiSessionOptions, use: (session: ApiSession) => Promise<T>): Promise<T> {
  const daemon = await connectToDaemon(context.dataDir, apiContract);
  if (daemon) return use({ api: daemon.api, via: 'daemon' });
  // Loaded only here: `bridge` and the commands that need no product start fast.
  const { Switchboard } = await import('../switchboard.ts');
  const product = await Switchboard.start({
    dataDir: context.dataDir,
    mode: 'headless',
    listen: false,
    logger: context.logger ?? createStderrLogger('error', (text) => context.stderr.write(text)),
    ...(context.managedPath ? { managedPath: context.managedPath } : {}),
    ...context.product,
  });
  const api = createApiClient(apiContract, async (method, input) => {
    const outcome = await product.dispatcher.dispatch(method, input, { kind: 'cli' });
    if (outcome.ok) return outcome.result;
    throw new ApiError(outcome.error);
  });
  try {
    return await use({ api, via: 'in-process' });
  } finally {
    await product.stop();
  }
}
