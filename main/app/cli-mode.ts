// The packaged `switchboard` command. The runAsNode fuse is off, so the app binary cannot be
// turned into plain Node with ELECTRON_RUN_AS_NODE; instead it runs the CLI in its main process,
// with no window and no tray, when its first argument is --switchboard-cli:
//   "<app binary>" --switchboard-cli bridge memory     (what linked clients spawn)
//   "<app binary>" --switchboard-cli status
import { PACKAGED_CLI_FLAG } from '../../shared/packaged-cli.ts';

/**
 * The argv to hand to the CLI's main() (`[runtime, "switchboard", ...args]`), or null when the app
 * was started as the desktop app. Only the first real argument counts: a flag later on the command
 * line (a deep link, a file) never turns the app into the CLI.
 */
export function packagedCliArgv(argv: readonly string[], defaultApp = false): string[] | null {
  // argv[0] is the binary; when run as `electron .` (development) argv[1] is the app folder.
  const first = defaultApp ? 2 : 1;
  if (argv[first] !== PACKAGED_CLI_FLAG) return null;
  return [argv[0] ?? 'switchboard', 'switchboard', ...argv.slice(first + 1)];
}

export interface CliRunnerDeps {
  /** Imports the CLI (dist/main/cli.js in the package) and returns its main(). */
  readonly loadCli: () => Promise<(argv: string[]) => Promise<number>>;
  /** app.exit: ends the process with the CLI's exit code once it is done. */
  readonly exit: (code: number) => void;
  readonly stderr: { write(text: string): unknown };
}

export async function runPackagedCli(argv: string[], deps: CliRunnerDeps): Promise<void> {
  let code: number;
  try {
    code = await (await deps.loadCli())(argv);
  } catch (error) {
    deps.stderr.write(`switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
  // `serve` and `bridge` resolve main() only when they are done, so exiting here ends nothing early.
  deps.exit(code);
}
