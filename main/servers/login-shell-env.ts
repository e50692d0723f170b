// An app started from Finder, the Dock or a desktop launcher does not get the user's PATH: on
// macOS it is /usr/bin:/bin:/usr/sbin:/sbin, so the `npx` or `uvx` of nvm, Homebrew, Volta or asdf
// is not found and servers fail with `spawn npx ENOENT`. The desktop app therefore reads the login
// shell's environment once at start (`$SHELL -ilc env`, as VS Code does) and puts that PATH first,
// keeping what it had after it. Servers get it through their default environment
// (server-environment.ts). A shell that hangs or fails costs at most the timeout; then the PATH
// stays as it was, plus the usual Homebrew folders on macOS.
import { spawn } from 'node:child_process';

const MARK = '__MCP_SWITCHBOARD_ENV__';
const DEFAULT_TIMEOUT_MS = 5000;
/** Added when the shell cannot be read: where Homebrew (Apple silicon, Intel) puts its programs. */
const DARWIN_FALLBACK_DIRS = ['/opt/homebrew/bin', '/usr/local/bin'];

export type RunShell = (shell: string, args: string[], env: Readonly<Record<string, string | undefined>>, timeoutMs: number) => Promise<string>;

export interface LoginShellOptions {
  platform?: NodeJS.Platform;
  /** The environment to read SHELL from and to give the login PATH (default process.env). */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  run?: RunShell;
  log?: (message: string) => void;
}

export interface LoginShellPathResult {
  /** 'login-shell': read from the shell; 'fallback': the shell could not be read; 'skipped': not a platform that needs it. */
  source: 'login-shell' | 'fallback' | 'skipped';
  path: string | undefined;
}

/** The PATH of the user's login shell, or undefined when it cannot be read in time. */
export async function readLoginShellPath(options: LoginShellOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const shell = env.SHELL || ((options.platform ?? process.platform) === 'darwin' ? '/bin/zsh' : '/bin/sh');
  const run = options.run ?? runShell;
  let output: string;
  try {
    output = await run(shell, ['-ilc', `echo ${MARK}; command env; echo ${MARK}`], env, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch {
    return undefined;
  }
  // Between the marks only: rc files may print banners before and after.
  const [, body] = output.split(MARK);
  const line = body?.split('\n').find((entry) => entry.startsWith('PATH='));
  const path = line?.slice('PATH='.length).trim();
  return path ? path : undefined;
}

/**
 * On macOS and Linux: puts the login shell's PATH first in `env.PATH` (default process.env), for
 * the servers the app starts. Windows apps get the user's PATH from the system: nothing to do.
 */
export async function useLoginShellPath(options: LoginShellOptions = {}): Promise<LoginShellPathResult> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  if (platform !== 'darwin' && platform !== 'linux') return { source: 'skipped', path: env.PATH };
  const login = await readLoginShellPath({ ...options, platform, env });
  const extra = login ?? (platform === 'darwin' ? DARWIN_FALLBACK_DIRS.join(':') : '');
  env.PATH = mergePaths(extra, env.PATH ?? '');
  if (!login) options.log?.(`could not read the login shell's PATH within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms; servers get ${env.PATH}`);
  return { source: login ? 'login-shell' : 'fallback', path: env.PATH };
}

/** `first`'s folders, then those of `rest` not already there. */
export function mergePaths(first: string, rest: string): string {
  const seen = new Set<string>();
  const merged: string[] = [];
  for (const dir of [...first.split(':'), ...rest.split(':')]) {
    if (dir === '' || seen.has(dir)) continue;
    seen.add(dir);
    merged.push(dir);
  }
  return merged.join(':');
}

/**
 * Runs the shell in its own process group with nothing on stdin, and gives up at the timeout
 * (killing the group: an rc file may have started something that holds stdout open).
 */
const runShell: RunShell = (shell, args, env, timeoutMs) => new Promise((resolve, reject) => {
  const child = spawn(shell, args, { env: { ...env }, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  let output = '';
  let settled = false;
  const finish = (error?: Error) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (error) reject(error);
    else resolve(output);
  };
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    finish(new Error(`${shell} did not answer within ${timeoutMs} ms`));
  }, timeoutMs);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    output += text;
    // Done as soon as the second mark is in: a shell that lingers after printing is not waited for.
    if (output.split(MARK).length >= 3) finish();
  });
  child.once('error', (error) => finish(error));
  child.once('close', (code) => (code === 0 ? finish() : finish(new Error(`${shell} exited with code ${code}`))));
});
