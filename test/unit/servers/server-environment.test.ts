// What a server's environment is made of (issue 19, item 4): the MCP SDK's default set, the names
// `inheritEnv` lists, the server's own env; never the rest of the daemon's environment.
import { DEFAULT_INHERITED_ENV_VARS } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { POSIX_INHERITED_ENV, WINDOWS_INHERITED_ENV, serverEnvironment } from '../../../main/servers/server-environment.ts';

const DAEMON_ENV = {
  HOME: '/Users/ann', PATH: '/usr/bin:/bin', USER: 'ann', SHELL: '/bin/zsh', TERM: 'xterm', LOGNAME: 'ann',
  AWS_SECRET_ACCESS_KEY: 'secret', GITHUB_TOKEN: 'ghp_x', HTTPS_PROXY: 'http://proxy:3128',
  BASH_FUNC_evil: '() { :; }; echo pwned',
};

describe('serverEnvironment', () => {
  it('keeps the SDK default set in step with the SDK (for the platform running the tests)', () => {
    const ours = process.platform === 'win32' ? WINDOWS_INHERITED_ENV : POSIX_INHERITED_ENV;
    for (const name of DEFAULT_INHERITED_ENV_VARS) expect(ours).toContain(name);
  });

  it('passes the default set, then inheritEnv, then the configured env, and nothing else (darwin)', () => {
    const env = serverEnvironment({ parent: DAEMON_ENV, platform: 'darwin', inherit: ['HTTPS_PROXY', 'BASH_FUNC_evil'], configured: { GITHUB_TOKEN: 'from-keychain', HOME: '/tmp/h' } });
    expect(env).toEqual({
      HOME: '/tmp/h', PATH: '/usr/bin:/bin', USER: 'ann', SHELL: '/bin/zsh', TERM: 'xterm', LOGNAME: 'ann',
      HTTPS_PROXY: 'http://proxy:3128', GITHUB_TOKEN: 'from-keychain',
    });
  });

  it('matches Windows names whatever their case, keeping the spelling the system uses (win32)', () => {
    const env = serverEnvironment({ parent: { Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', ComSpec: 'C:\\Windows\\system32\\cmd.exe', AWS_SECRET_ACCESS_KEY: 'x' }, platform: 'win32' });
    expect(env).toEqual({ Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', ComSpec: 'C:\\Windows\\system32\\cmd.exe' });
  });
});
