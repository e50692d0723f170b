import { describe, expect, it } from 'vitest';
import { packagedCliArgv, runPackagedCli } from '../../../main/app/cli-mode.ts';
import { createLinkEndpoint } from '../../../main/clients/link-endpoint.ts';
import { PACKAGED_CLI_FLAG } from '../../../shared/packaged-cli.ts';

describe('the packaged switchboard CLI (runAsNode off)', () => {
  it('runs the CLI when --switchboard-cli is the first argument, with the rest as its arguments', () => {
    expect(packagedCliArgv(['/opt/MCP Switchboard/mcp-switchboard', PACKAGED_CLI_FLAG, 'bridge', 'memory'])).toEqual(['/opt/MCP Switchboard/mcp-switchboard', 'switchboard', 'bridge', 'memory']);
    // `electron .` in development: argv[1] is the app folder.
    expect(packagedCliArgv(['/x/electron', '.', PACKAGED_CLI_FLAG, 'status'], true)).toEqual(['/x/electron', 'switchboard', 'status']);
  });

  it('starts the desktop app otherwise, also when the flag comes later (a deep link or file argument)', () => {
    expect(packagedCliArgv(['/opt/app'])).toBeNull();
    expect(packagedCliArgv(['/opt/app', 'switchboard://install?id=x&command=y', PACKAGED_CLI_FLAG])).toBeNull();
  });

  it('exits with the CLI exit code, and with 1 and a message when the CLI cannot load', async () => {
    const exits: number[] = [];
    const errors: string[] = [];
    const deps = { exit: (code: number) => exits.push(code), stderr: { write: (s: string) => errors.push(s) } };
    await runPackagedCli(['x', 'switchboard', 'status'], { ...deps, loadCli: async () => async (argv) => (argv[2] === 'status' ? 3 : 0) });
    await runPackagedCli(['x', 'switchboard'], { ...deps, loadCli: async () => { throw new Error('dist/main/cli.js missing'); } });
    expect(exits).toEqual([3, 1]);
    expect(errors).toEqual(['switchboard: dist/main/cli.js missing\n']);
  });

  it('links stdio clients to the packaged binary with the flag, not ELECTRON_RUN_AS_NODE, and knows such entries as its own', () => {
    const endpoint = createLinkEndpoint({ dataDir: '/data', httpPort: 47_821, nodePath: '/opt/app/mcp-switchboard', packaged: true });
    const command = endpoint.bridgeCommand('memory');
    expect(command).toEqual({ command: '/opt/app/mcp-switchboard', args: [PACKAGED_CLI_FLAG, 'bridge', 'memory', '--data-dir', '/data'] });
    expect(endpoint.pointsHere(command)).toBe(true);
    const source = createLinkEndpoint({ dataDir: '/data', httpPort: 47_821, nodePath: '/usr/bin/node', binPath: '/repo/bin/switchboard.js', packaged: false });
    expect(source.bridgeCommand('memory')).toEqual({ command: '/usr/bin/node', args: ['/repo/bin/switchboard.js', 'bridge', 'memory', '--data-dir', '/data'] });
  });
});
