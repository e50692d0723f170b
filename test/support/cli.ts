// The one CLI runner of the tests: `switchboard …` as a shell runs it, a child process through
// bin/switchboard.js (or another entry, e.g. main/cli.ts), with its exit code and output.
import { spawn } from 'node:child_process';
import { SWITCHBOARD_BIN } from './daemon.ts';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Appended as `--data-dir <dataDir>`. */
  dataDir?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed (default: no stdin). */
  input?: string;
  cwd?: string;
  /** The script node runs (default bin/switchboard.js). */
  entry?: string;
  /** Close the reading end of its stdout at once (like `| head` that has had enough). */
  closeStdout?: boolean;
  /** Killed (SIGKILL) when still running after this long. */
  timeoutMs?: number;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.entry ?? SWITCHBOARD_BIN, ...args, ...(options.dataDir ? ['--data-dir', options.dataDir] : [])], {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout!.destroy();
    else child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}
