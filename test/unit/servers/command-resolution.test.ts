// Windows command resolution, on an injected win32 platform with path.win32 paths (issue 19,
// item 20): `npx` is found as `npx.cmd` through PATHEXT and runs through cmd.exe with every
// argument reaching the server intact; a decoder that does what cmd.exe and the C runtime do
// with the command line checks that.
import { describe, expect, it } from 'vitest';
import { ChildProcessTransport } from '../../../main/servers/child-process-transport.ts';
import { findCommand, resolveCommand, shebangCommand, type CommandResolutionEnv } from '../../../main/servers/command-resolution.ts';
import { killProcessTree } from '../../../main/servers/process-tree.ts';

const NODE_DIR = 'C:\\Program Files\\nodejs';
const BIN_DIR = 'C:\\work\\proj\\node_modules\\.bin';
const FILES = new Set([
  `${NODE_DIR}\\node.exe`,
  `${NODE_DIR}\\npx`, // the POSIX script npm ships next to the shim
  `${NODE_DIR}\\npx.cmd`,
  `${BIN_DIR}\\mcp-server-files.cmd`,
  'C:\\Windows\\system32\\cmd.exe',
]);

/** A Windows file system: names match whatever their case. */
function windowsFiles(files: Iterable<string>): (file: string) => boolean {
  const lower = new Set([...files].map((file) => file.toLowerCase()));
  return (file) => lower.has(file.toLowerCase());
}

function windows(extra: Partial<CommandResolutionEnv> = {}): CommandResolutionEnv {
  return {
    platform: 'win32',
    env: { Path: `C:\\Windows\\system32;${NODE_DIR};${BIN_DIR}`, PATHEXT: '.COM;.EXE;.BAT;.CMD;.VBS', ComSpec: 'C:\\Windows\\system32\\cmd.exe' },
    cwd: 'C:\\work\\proj',
    isFile: windowsFiles(FILES),
    readShebang: () => undefined,
    ...extra,
  };
}

/** What cmd.exe /d /s /c "…" does: /s drops the outer quotes, then each ^ escapes the next character. */
function cmdExe(args: string[]): string {
  expect(args.slice(0, 3)).toEqual(['/d', '/s', '/c']);
  const line = args[3]!;
  expect(line.startsWith('"') && line.endsWith('"')).toBe(true);
  return unescapeCarets(line.slice(1, -1));
}

function unescapeCarets(line: string): string {
  return line.replace(/\^(.)/g, '$1');
}

/** How the Microsoft C runtime (CommandLineToArgvW) splits a command line into argv. */
function argv(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    while (i < line.length && (quoted || (line[i] !== ' ' && line[i] !== '\t'))) {
      if (line[i] === '\\') {
        let n = 0;
        while (line[i] === '\\') { n++; i++; }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) { arg += '"'; i++; }
        } else arg += '\\'.repeat(n);
      } else if (line[i] === '"') {
        if (quoted && line[i + 1] === '"') { arg += '"'; i += 2; } else { quoted = !quoted; i++; }
      } else arg += line[i++];
    }
    out.push(arg);
  }
  return out;
}

const TRICKY_ARGS = [
  '-y',
  '@modelcontextprotocol/server-filesystem',
  'C:\\Users\\Ann Lee\\My Documents',
  'say "hello world"',
  'ends with a backslash\\',
  'a&b|c>d<e^f(g)h;i,j',
  '',
  '\\\\server\\share\\"quoted\\"',
];

describe('resolveCommand on win32', () => {
  it('finds npx as npx.cmd through PATHEXT and runs it through cmd.exe with the arguments intact', () => {
    const resolved = resolveCommand('npx', TRICKY_ARGS, windows());
    expect(resolved.file?.toLowerCase()).toBe(`${NODE_DIR}\\npx.cmd`.toLowerCase());
    expect(resolved.command).toBe('C:\\Windows\\system32\\cmd.exe');
    expect(resolved.windowsVerbatimArguments).toBe(true);
    expect(argv(cmdExe(resolved.args))).toEqual(['npx', ...TRICKY_ARGS]);
  });

  it('escapes twice for a node_modules\\.bin shim, which hands its arguments to a second cmd.exe', () => {
    const resolved = resolveCommand('mcp-server-files', TRICKY_ARGS, windows());
    expect(resolved.file?.toLowerCase()).toBe(`${BIN_DIR}\\mcp-server-files.cmd`.toLowerCase());
    const afterFirst = cmdExe(resolved.args);
    expect(argv(unescapeCarets(afterFirst))).toEqual(['mcp-server-files', ...TRICKY_ARGS]);
  });

  it('runs an .exe directly, with its arguments as they are', () => {
    const resolved = resolveCommand('node', ['server.js', 'a b'], windows());
    expect(resolved).toEqual({ command: `${NODE_DIR}\\node.EXE`, args: ['server.js', 'a b'], windowsVerbatimArguments: false, file: `${NODE_DIR}\\node.EXE` });
  });

  it('reads PATH and PATHEXT whatever the case of their names, and follows a #! script to its interpreter', () => {
    const env = { PATH: `${NODE_DIR}`, pathext: '.EXE;.CMD' };
    expect(findCommand('npx', windows({ env }))).toBe(`${NODE_DIR}\\npx.CMD`);
    const resolved = resolveCommand('C:\\tools\\serve', ['--stdio'], windows({ isFile: windowsFiles([...FILES, 'C:\\tools\\serve']), readShebang: (file) => (file === 'C:\\tools\\serve' ? 'node' : undefined) }));
    expect(resolved).toMatchObject({ command: `${NODE_DIR}\\node.EXE`, args: ['C:\\tools\\serve', '--stdio'], windowsVerbatimArguments: false });
    expect(shebangCommand('#!/usr/bin/env node\nconsole.log(1)')).toBe('node');
  });

  it('does not look in the working directory first (a planted npx.cmd there is not run)', () => {
    expect(findCommand('npx', windows({ isFile: windowsFiles([...FILES, 'C:\\work\\proj\\npx.cmd']) }))).toBe(`${NODE_DIR}\\npx.CMD`);
  });

  it('leaves POSIX commands to spawn, unchanged', () => {
    expect(resolveCommand('npx', ['-y', 'a b'], { platform: 'darwin', env: { PATH: '/usr/bin' } })).toEqual({ command: 'npx', args: ['-y', 'a b'], windowsVerbatimArguments: false });
  });

  it('refuses an unknown command before spawning, naming the PATH searched and how to give the full path', async () => {
    const transport = new ChildProcessTransport({ command: 'uvx', args: [], platform: 'win32', parentEnv: { Path: `C:\\Windows\\system32;${NODE_DIR}`, PATHEXT: '.EXE;.CMD' } });
    await expect(transport.start()).rejects.toThrow(`cannot start "uvx": "uvx" was not found on the PATH the server gets (C:\\Windows\\system32;${NODE_DIR}). Set the server's command to the full path of the program (in a terminal where it works, \`where uvx\` prints it)`);
  });
});

describe('killProcessTree', () => {
  it('uses taskkill /T /F on Windows, where there are no process groups', () => {
    const ran: Array<[string, string[]]> = [];
    killProcessTree(4321, 'SIGTERM', { platform: 'win32', run: (command, args) => ran.push([command, args]), kill: () => { throw new Error('no signals on Windows'); } });
    expect(ran).toEqual([['taskkill', ['/T', '/F', '/PID', '4321']]]);
  });

  it('signals the process group elsewhere', () => {
    const sent: Array<[number, string]> = [];
    killProcessTree(4321, 'SIGTERM', { platform: 'darwin', kill: (pid, signal) => sent.push([pid, signal]), run: () => { throw new Error('no taskkill'); } });
    expect(sent).toEqual([[-4321, 'SIGTERM']]);
  });
});
