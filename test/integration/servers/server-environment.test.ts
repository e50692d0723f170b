// A secret in the daemon's environment stays there: through a fresh `switchboard serve`,
// server-everything's get-env shows only the default set, the server's own env and what its
// `inheritEnv` names (issue 19, item 4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EVERYTHING_SERVER, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';

const AWS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

async function serverEnv(client: Client): Promise<Record<string, string>> {
  const result = await client.callTool({ name: 'get-env', arguments: {} }) as { content: Array<{ type: string; text?: string }> };
  return JSON.parse(result.content.find((item) => item.type === 'text')!.text!) as Record<string, string>;
}

describe('the environment a server gets (through `switchboard serve`)', () => {
  let daemon: TestDaemon;
  beforeAll(async () => {
    daemon = await startTestDaemon({
      servers: [
        { id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], env: { GREETING: 'hello' } },
        { id: 'chosen', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], inheritEnv: ['SWITCHBOARD_TEST_SHARED'] },
      ],
      env: { AWS_SECRET_ACCESS_KEY: AWS_KEY, SWITCHBOARD_TEST_SHARED: 'shared-value', HOME: '/home/example-user' },
    });
  }, 60_000);
  afterAll(async () => daemon?.stop());

  it("does not pass the daemon's AWS key to a server, over the bridge and over HTTP", async () => {
    for (const client of [await daemon.bridgeClient('everything'), await daemon.httpClient('everything')]) {
      const env = await serverEnv(client);
      expect(JSON.stringify(env)).not.toContain(AWS_KEY);
      expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
      expect(env.SWITCHBOARD_TEST_SHARED).toBeUndefined();
      // The default set and the server's own env do arrive.
      expect(env.HOME).toBe('/home/example-user');
      expect(env.PATH).toBe(process.env.PATH);
      expect(env.GREETING).toBe('hello');
    }
  }, 60_000);

  it('passes on what inheritEnv names, and nothing else', async () => {
    const env = await serverEnv(await daemon.bridgeClient('chosen'));
    expect(env.SWITCHBOARD_TEST_SHARED).toBe('shared-value');
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
  }, 60_000);
});
