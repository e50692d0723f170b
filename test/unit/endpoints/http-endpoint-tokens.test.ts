// The /mcp bearer check remembers digests of tokens it has accepted; a token removed from the
// config must still be refused on the very next request.
import { afterEach, describe, expect, it } from 'vitest';
import { HttpEndpoint } from '../../../main/endpoints/http-endpoint.ts';
import { sha256Hex } from '../../../main/endpoints/http-guard.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import type { RelayHub } from '../../../main/relay/relay-hub.ts';
import { ServerNotFoundError } from '../../../main/servers/supervisor.ts';
import type { ClientToken } from '../../../shared/config.ts';

let endpoint: HttpEndpoint | undefined;

afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe('HttpEndpoint client tokens', () => {
  it('refuses a token at once after it is revoked, and accepts a reissued one', async () => {
    let tokens: ClientToken[] = [{ name: 'editor', sha256: sha256Hex('sbt_first'), createdAt: new Date().toISOString() }];
    const hub = { check: async (id: string) => { throw new ServerNotFoundError(id); } } as unknown as RelayHub;
    endpoint = new HttpEndpoint({ hub, logger: silentLogger, tokens: () => tokens, apiToken: 'api' });
    const port = await endpoint.listen(0);
    const get = (token: string) => fetch(`http://127.0.0.1:${port}/mcp/echo`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });

    // Past the token check, the unknown server answers 404.
    expect((await get('sbt_first')).status).toBe(404);
    expect((await get('sbt_first')).status).toBe(404);
    expect((await get('sbt_other')).status).toBe(401);

    tokens = tokens.filter((t) => t.name !== 'editor');
    const revoked = await get('sbt_first');
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: string }).error).toBe('invalid token');

    tokens.push({ name: 'editor', sha256: sha256Hex('sbt_second'), createdAt: new Date().toISOString() });
    expect((await get('sbt_first')).status).toBe(401);
    expect((await get('sbt_second')).status).toBe(404);
  });
});
