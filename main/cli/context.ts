// What every command file gets: the data folder (resolved once from --data-dir,
// SWITCHBOARD_DATA_DIR or the OS default) and the streams to write to.
import type { Readable, Writable } from 'node:stream';

export interface CliContext {
  dataDir: string;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/**
 * Finds --data-dir in argv before commander parses it (commands are registered with the folder
 * known); '' when the flag is there without a value.
 */
export function dataDirFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === '--data-dir') return argv[i + 1] ?? '';
    if (arg.startsWith('--data-dir=')) return arg.slice('--data-dir='.length);
  }
  return undefined;
}
