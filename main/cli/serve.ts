// `switchboard serve`: the daemon in the foreground (headless). The process exits once the stop
// that a signal starts has settled: a server spawned while the daemon was stopping, or any other
// handle left behind, cannot keep it alive. The stop deadline is only a backstop that logs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { createStderrLogger } from '../base/logger.ts';
import type { CliContext } from './context.ts';
import { printer } from './output.ts';
import { parsePort } from './parse-options.ts';
import { STOP_DEADLINE_MS, stopWithDeadline } from './stop-deadline.ts';

const BUILT_UI = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export interface ServeContext extends CliContext {
  /** Ends the process (default process.exit); injected by tests. */
  exit?: (code: number) => void;
}

export function registerServeCommand(program: Command, context: ServeContext): void {
  const out = printer(context.stdout);
  const exit = context.exit ?? ((code: number) => process.exit(code));
  program.command('serve')
    .description('Run the daemon in the foreground (headless): local socket, HTTP endpoint, servers, policy, audit')
    .option('--port <port>', 'HTTP port on 127.0.0.1 (overrides settings.httpPort; 0 = any free port)', parsePort)
    .addOption(new Option('--log-level <level>', 'log detail on stderr').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .option('--static-root <dir>', 'serve the web UI from this folder')
    .option('--ui', 'serve the built web UI (dist/renderer) and open it in a browser (headless: the address is printed)')
    .action(async (options: { port?: number; logLevel: 'debug' | 'info' | 'warn' | 'error'; staticRoot?: string; ui?: boolean }) => {
      const logger = createStderrLogger(options.logLevel);
      // Nothing may take the daemon down: log and carry on.
      process.on('uncaughtException', (error) => logger.error('uncaught exception', { error: error.stack ?? error.message }));
      process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason instanceof Error ? reason.stack : String(reason) }));
      const staticRoot = options.staticRoot ?? (options.ui ? BUILT_UI : undefined);
      if (options.ui && !existsSync(join(staticRoot!, 'index.html'))) {
        throw new Error(`the web UI is not built in ${staticRoot}; run \`npm run build\` (or \`npm start\`, which builds it) first`);
      }
      const { Switchboard } = await import('../switchboard.ts');
      const switchboard = await Switchboard.start({
        dataDir: context.dataDir,
        mode: 'headless',
        logger,
        ...(options.port !== undefined ? { httpPort: options.port } : {}),
        ...(staticRoot ? { staticRoot } : {}),
      });
      const info = switchboard.info;
      out(`switchboard daemon listening on http://127.0.0.1:${info.httpPort} and ${info.socketPath} (data: ${context.dataDir})`);
      if (options.ui) {
        const { createOpenUrl } = await import('../oauth/open-url.ts');
        const url = new URL(`http://127.0.0.1:${info.httpPort}/#token=${encodeURIComponent(info.apiToken)}`);
        await createOpenUrl((line) => out(line.replace('to authorize MCP Switchboard', 'for the MCP Switchboard UI')))(url);
      }
      const code = await new Promise<number>((resolve) => {
        const shutdown = () => void stopWithDeadline(() => switchboard.stop(), STOP_DEADLINE_MS, () => {
          logger.error(`the daemon did not finish stopping within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`, {});
          resolve(1);
        }).then(() => resolve(0), (error: unknown) => {
          logger.error('the daemon stopped with an error', { error: (error as Error).message });
          resolve(1);
        });
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
        process.once('SIGHUP', shutdown);
      });
      exit(code);
    });
}
