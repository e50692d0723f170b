// On an injected darwin platform, a desktop app launched with the Finder's minimal PATH reads the
// login shell's PATH once, and the servers it starts find their commands there (issue 19, item 21).
// The "login shell" is a real shell script that, like a user's ~/.zprofile, puts a folder on PATH
// and prints a banner around the command it is asked to run.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChildProcessTransport } from '../../../main/servers/child-process-transport.ts';
import { mergePaths, useLoginShellPath } from '../../../main/servers/login-shell-env.ts';
import { EVERYTHING_SERVER } from '../../support/daemon.ts';

const FINDER_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

function script(file: string, body: string): string {
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('the login shell PATH, for servers started by the desktop app', () => {
  let dir: string;
  let toolDir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-login-shell-'));
    toolDir = join(dir, 'nvm-bin');
    mkdirSync(toolDir);
    // What nvm or Homebrew would install: a command only the user's shell PATH has.
    script(join(toolDir, 'everything-mcp'), `exec "${process.execPath}" "${EVERYTHING_SERVER}" stdio`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the login shell PATH first, and a server found only there starts (darwin)', async () => {
    // -ilc "<command>": like zsh reading ~/.zprofile, then running the command.
    const shell = script(join(dir, 'zsh'), `echo "Last login: today"\nPATH="${toolDir}:$PATH"; export PATH\n/bin/sh -c "$2"\necho "bye"`);
    const env: Record<string, string | undefined> = { PATH: FINDER_PATH, SHELL: shell, HOME: dir };

    const before = new ChildProcessTransport({ command: 'everything-mcp', args: [], parentEnv: env, platform: 'darwin' });
    await expect(before.start()).rejects.toThrow(`"everything-mcp" was not found on the PATH the server gets (${FINDER_PATH})`);

    const result = await useLoginShellPath({ platform: 'darwin', env });
    expect(result.source).toBe('login-shell');
    expect(env.PATH).toBe(`${toolDir}:${FINDER_PATH}`);

    const transport = new ChildProcessTransport({ command: 'everything-mcp', args: [], parentEnv: env, platform: 'darwin' });
    const client = new Client({ name: 'login-shell-test', version: '1' });
    try {
      await client.connect(transport);
      const reply = await client.callTool({ name: 'get-env', arguments: {} }) as { content: Array<{ text?: string }> };
      const serverEnv = JSON.parse(reply.content[0]!.text!) as Record<string, string>;
      expect(serverEnv.PATH).toBe(`${toolDir}:${FINDER_PATH}`);
    } finally {
      await client.close();
    }
  }, 30_000);

  it('falls back to the PATH it has, plus the Homebrew folders, when the shell does not answer in time', async () => {
    const shell = script(join(dir, 'slow-shell'), 'sleep 30');
    const env: Record<string, string | undefined> = { PATH: FINDER_PATH, SHELL: shell };
    const logs: string[] = [];
    const result = await useLoginShellPath({ platform: 'darwin', env, timeoutMs: 300, log: (line) => logs.push(line) });
    expect(result.source).toBe('fallback');
    expect(env.PATH).toBe(`/opt/homebrew/bin:/usr/local/bin:${FINDER_PATH}`);
    expect(logs.join('\n')).toContain("could not read the login shell's PATH");
  }, 30_000);

  it('leaves Windows alone (its apps get the user PATH from the system)', async () => {
    const env: Record<string, string | undefined> = { Path: 'C:\\Windows' };
    expect((await useLoginShellPath({ platform: 'win32', env })).source).toBe('skipped');
    expect(env).toEqual({ Path: 'C:\\Windows' });
  });

  it('merges without duplicates, login shell first', () => {
    expect(mergePaths('/a:/b:/a', '/b:/c:')).toBe('/a:/b:/c');
  });
});
