// The /v0.1 client against the real HTTP fixture registry: pagination followed, names
// URL-encoded, a malformed server.json skipped with its reason, a looping cursor and a garbage
// answer stopped with a clear error.
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../main/registry/registry-client.ts';
import { EVERYTHING_NAME, startRegistryFixture, type RegistryFixture } from '../../support/registry.ts';

let fixture: RegistryFixture;
afterEach(async () => {
  await fixture?.close();
});

describe('RegistryClient', () => {
  it('follows the cursor across pages and finds every entry', async () => {
    fixture = await startRegistryFixture({ pageSize: 2 });
    const client = new RegistryClient({ baseUrl: fixture.url });
    const result = await client.all({ search: 'io.', version: 'latest' });
    expect(result.pages).toBe(3);
    expect(result.entries.map((e) => e.server.name).sort()).toEqual([
      'io.example/fetch-oci', 'io.example/legacy-tool', 'io.example/remote-docs', 'io.example/weather-py', EVERYTHING_NAME,
    ]);
    expect(fixture.requests.filter((r) => r.includes('cursor=')).length).toBe(2);
    expect(fixture.requests[0]).toContain('version=latest');
  });

  it('URL-encodes the server name in paths', async () => {
    fixture = await startRegistryFixture();
    const client = new RegistryClient({ baseUrl: fixture.url });
    const entry = await client.version(EVERYTHING_NAME, 'latest');
    expect(entry.server.version).toBe('1.0.0');
    expect(entry._meta?.['io.modelcontextprotocol.registry/official']).toMatchObject({ status: 'active', isLatest: true });
    expect(fixture.requests.at(-1)).toBe('/v0.1/servers/io.github.modelcontextprotocol%2Fserver-everything/versions/latest');
    const versions = await client.versions(EVERYTHING_NAME);
    expect(versions.entries).toHaveLength(1);
  });

  it('skips a malformed server.json with its reason and keeps the rest', async () => {
    fixture = await startRegistryFixture({ pageSize: 10 });
    fixture.addMalformed({ server: { name: 'io.example/broken', version: '1.0.0', packages: 'not a list' } });
    const result = await new RegistryClient({ baseUrl: fixture.url }).all({});
    expect(result.entries).toHaveLength(5);
    expect(result.skipped).toEqual([expect.objectContaining({ name: 'io.example/broken', version: '1.0.0', reason: expect.stringMatching(/description|packages/) })]);
  });

  it('stops a looping cursor after the second page with an error that says so', async () => {
    fixture = await startRegistryFixture({ pageSize: 1 });
    fixture.loopCursor(true);
    await expect(new RegistryClient({ baseUrl: fixture.url }).all({})).rejects.toThrow(/a second time after 2 pages: its listing loops/);
    expect(fixture.requests).toHaveLength(2);
  });

  it('stops a listing that never ends at the page bound', async () => {
    fixture = await startRegistryFixture({ pageSize: 1 });
    await expect(new RegistryClient({ baseUrl: fixture.url, maxPages: 3 }).all({})).rejects.toThrow(/still had more after 3 pages/);
    expect(fixture.requests).toHaveLength(3);
  });

  it('says clearly when the answer is garbage or the registry is down', async () => {
    fixture = await startRegistryFixture();
    fixture.answerGarbage('<html>maintenance</html>');
    const client = new RegistryClient({ baseUrl: fixture.url });
    await expect(client.all({})).rejects.toThrow(/is not JSON/);
    await fixture.down();
    await expect(client.all({})).rejects.toThrow(/cannot be reached/);
  });
});
