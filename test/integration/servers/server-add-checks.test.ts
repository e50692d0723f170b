// `server add` refuses a remote URL that is not http(s) (ftp:, file:, javascript:) and warns when a
// stdio command is not on PATH, from the CLI with and without a running daemon, and over the API
// (issue 19, item 14).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/define.ts';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { runCli } from '../../support/cli.ts';

const BAD_URLS = ['ftp://files.example.com/mcp', 'file:///etc/passwd', 'javascript:alert(1)'];

const cli = (args: string[]) => runCli(args);

describe('server add without a daemon', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-add-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 1 }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const servers = () => (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { servers?: Array<{ id: string }> }).servers ?? [];

  it('refuses ftp:, file: and javascript: URLs and writes nothing', async () => {
    for (const [i, url] of BAD_URLS.entries()) {
      const result = await cli(['server', 'add', `remote${i}`, '--url', url, '--data-dir', dir]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('must start with http:// or https://');
    }
    expect(servers()).toEqual([]);
    expect((await cli(['server', 'add', 'ok', '--url', 'https://mcp.example.com/mcp', '--data-dir', dir])).code).toBe(0);
  }, 60_000);

  it('adds a command that is not on PATH, with a warning that names the PATH and the fix', async () => {
    const result = await cli(['server', 'add', 'ghost', '--data-dir', dir, '--', 'definitely-not-installed-mcp-xyz', '--stdio']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`warning: server 'ghost' will not start until its command is found: "definitely-not-installed-mcp-xyz" was not found on the PATH the server gets (${process.env.PATH})`);
    expect(result.stderr).toContain('full path');
    const found = await cli(['server', 'add', 'node', '--data-dir', dir, '--', 'node', 'server.js']);
    expect(found.code).toBe(0);
    expect(found.stderr).not.toContain('warning');
  }, 60_000);
});

describe('server add through a running daemon', () => {
  let daemon: TestDaemon;
  beforeAll(async () => {
    daemon = await startTestDaemon();
  }, 60_000);
  afterAll(async () => daemon?.stop());

  it('the API refuses the URLs and warns about the command', async () => {
    for (const url of BAD_URLS) {
      const error = await daemon.api['servers.add']({ server: { id: 'remote', transport: 'streamable-http', url } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).message).toContain('must start with http:// or https://');
    }
    const added = await daemon.api['servers.add']({ server: { id: 'ghost', transport: 'stdio', command: '/opt/nowhere/bin/mcp-server' } });
    expect(added.warnings).toEqual([`server 'ghost' will not start until its command is found: "/opt/nowhere/bin/mcp-server" does not exist or is not an executable file.`]);
    const fine = await daemon.api['servers.add']({ server: { id: 'fine', transport: 'stdio', command: process.execPath } });
    expect(fine.warnings).toBeUndefined();
  }, 60_000);

  it('the CLI prints the daemon\'s warning', async () => {
    const result = await cli(['server', 'add', 'ghost2', '--data-dir', daemon.dataDir, '--', 'definitely-not-installed-mcp-xyz']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`warning: server 'ghost2' will not start until its command is found`);
  }, 60_000);
});
