// How a server's command becomes what spawn() runs, following cross-spawn (which the MCP SDK's
// own stdio transport uses) so that a config that works in other MCP clients works here.
//
// POSIX: spawn() searches PATH itself; the command is run as given.
// Windows: spawn() finds only `.exe`/`.com` files and, since Node's 2024 fix (CVE-2024-27980),
// refuses `.cmd`/`.bat` without a shell. `npx`, `npm`, `pnpm` and friends are `.cmd` shims. So
// the command is looked up on PATH with PATHEXT; an `.exe`/`.com` runs directly; anything else
// runs through `cmd.exe /d /s /c "…"` with every argument quoted for the C runtime and its cmd
// metacharacters escaped with `^` (twice for a node_modules/.bin shim, which passes its arguments
// through a second cmd.exe), so an argument reaches the server exactly as configured.
//
// Not the cross-spawn package itself: it reads process.platform and process.env when it loads,
// so its Windows path cannot be exercised on the Linux CI. The algorithm and the escaping are
// cross-spawn 7's (lib/parse.js, lib/util/escape.js), minus one thing: the current directory is
// not searched first, so a file dropped into a server's cwd cannot stand in for its command.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

export interface CommandResolutionEnv {
  platform: NodeJS.Platform;
  /** The environment the server gets (its PATH and PATHEXT are the ones searched). */
  env: Readonly<Record<string, string | undefined>>;
  /** The server's working directory (relative commands are resolved against it). */
  cwd?: string;
  /** True when a regular file exists there. Default: the file system. */
  isFile?: (file: string) => boolean;
  /** The interpreter named by the file's `#!` line, if any. Default: reads the file's first bytes. */
  readShebang?: (file: string) => string | undefined;
}

export interface ResolvedCommand {
  command: string;
  args: string[];
  /** Set when the arguments are already quoted for cmd.exe (Node must pass them as they are). */
  windowsVerbatimArguments: boolean;
  /** The file found on PATH (Windows only; POSIX leaves the search to spawn). */
  file?: string;
}

const EXECUTABLE = /\.(?:com|exe)$/i;
const CMD_SHIM = /node_modules[\\/].bin[\\/][^\\/]+\.cmd$/i;
const CMD_META = /([()\][%!^"`<>&|;, *?])/g;
const DEFAULT_PATHEXT = '.EXE;.CMD;.BAT;.COM';

/** What spawn() should run for `command args` on the given platform. */
export function resolveCommand(command: string, args: readonly string[], options: CommandResolutionEnv): ResolvedCommand {
  if (options.platform !== 'win32') return { command, args: [...args], windowsVerbatimArguments: false };
  let file = findCommand(command, options);
  let runArgs = [...args];
  let runCommand = command;
  const shebang = file ? (options.readShebang ?? readShebang)(file) : undefined;
  if (file && shebang) {
    runArgs = [file, ...runArgs];
    runCommand = shebang;
    file = findCommand(shebang, options);
  }
  const target = file ?? runCommand;
  if (EXECUTABLE.test(target)) return { command: file ?? runCommand, args: runArgs, windowsVerbatimArguments: false, ...(file ? { file } : {}) };
  const doubleEscape = CMD_SHIM.test(target);
  const shellCommand = [escapeCommand(path.win32.normalize(runCommand)), ...runArgs.map((arg) => escapeArgument(arg, doubleEscape))].join(' ');
  return {
    command: lookupEnv(options.env, 'ComSpec', 'win32') ?? 'cmd.exe',
    args: ['/d', '/s', '/c', `"${shellCommand}"`],
    windowsVerbatimArguments: true,
    ...(file ? { file } : {}),
  };
}

/**
 * The file a command names: as given when it contains a path separator, else the first match in
 * the environment's PATH (with PATHEXT's extensions on Windows). Undefined when there is none.
 */
export function findCommand(command: string, options: CommandResolutionEnv): string | undefined {
  const win = options.platform === 'win32';
  const paths = win ? path.win32 : path.posix;
  const isFile = options.isFile ?? isRegularFile;
  const extensions = win ? windowsExtensions(command, options.env) : [''];
  const hasSeparator = win ? /[\\/]/.test(command) : command.includes('/');
  const dirs = hasSeparator ? [''] : searchPath(options.env, options.platform).split(paths.delimiter).filter((dir) => dir !== '');
  // As cross-spawn: with PATHEXT first, then (Windows) the bare name, e.g. a `#!` script.
  const passes = win && !extensions.includes('') ? [extensions, ['']] : [extensions];
  for (const pass of passes) {
    for (const dir of dirs) {
      const base = paths.resolve(options.cwd ?? process.cwd(), dir.replace(/^"(.*)"$/, '$1'), command);
      for (const extension of pass) {
        const candidate = base + extension;
        if (isFile(candidate) && (win || isExecutable(candidate))) return candidate;
      }
    }
  }
  return undefined;
}

/** The PATH the environment names (Windows: whatever the case of its name). */
export function searchPath(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform): string {
  return lookupEnv(env, 'PATH', platform) ?? '';
}

/** A variable of the environment; on Windows names are case-insensitive and the last spelling wins, as in path-key. */
export function lookupEnv(env: Readonly<Record<string, string | undefined>>, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  let value: string | undefined;
  for (const [key, v] of Object.entries(env)) if (key.toUpperCase() === name.toUpperCase() && v !== undefined) value = v;
  return value;
}

function windowsExtensions(command: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const extensions = (lookupEnv(env, 'PATHEXT', 'win32') ?? DEFAULT_PATHEXT).split(';').filter((ext) => ext !== '');
  // `npx` is tried only with an extension; `server.exe` or `run.js` as written too (as `which` does).
  return command.includes('.') ? ['', ...extensions] : extensions;
}

/** cmd.exe metacharacters of the command name, escaped with ^. */
export function escapeCommand(command: string): string {
  return command.replace(CMD_META, '^$1');
}

/**
 * One argument quoted for the Microsoft C runtime (https://qntm.org/cmd) and escaped for cmd.exe;
 * twice when a .cmd shim hands it to a second cmd.exe.
 */
export function escapeArgument(arg: string, doubleEscapeMetaChars: boolean): string {
  let quoted = arg.replace(/(?=(\\+?)?)\1"/g, '$1$1\\"');
  quoted = quoted.replace(/(?=(\\+?)?)\1$/, '$1$1');
  quoted = `"${quoted}"`.replace(CMD_META, '^$1');
  return doubleEscapeMetaChars ? quoted.replace(CMD_META, '^$1') : quoted;
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    return (statSync(file).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The interpreter of a `#!` line (`#!/usr/bin/env node` → `node`), as cross-spawn reads it. */
export function readShebang(file: string): string | undefined {
  const buffer = Buffer.alloc(150);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, buffer, 0, 150, 0);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return shebangCommand(buffer.toString('utf8'));
}

export function shebangCommand(head: string): string | undefined {
  const match = /^#! ?(.*)/.exec(head.split('\n')[0] ?? '');
  if (!match) return undefined;
  const [interpreter, argument] = match[1]!.trim().split(' ');
  const binary = interpreter?.split('/').pop();
  if (!binary) return undefined;
  return binary === 'env' ? argument : argument ? `${binary} ${argument}` : binary;
}

/** Why a command could not be found, with the PATH that was searched and how to name it fully. */
export function commandNotFoundMessage(command: string, options: Pick<CommandResolutionEnv, 'platform' | 'env'>): string {
  const searched = searchPath(options.env, options.platform) || '(empty)';
  const finder = options.platform === 'win32' ? `where ${command}` : `command -v ${command}`;
  return `"${command}" was not found on the PATH the server gets (${searched}). `
    + `Set the server's command to the full path of the program (in a terminal where it works, \`${finder}\` prints it), `
    + `or install it in one of those folders.`;
}
