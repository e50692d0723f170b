// The clients and secrets API through the dispatcher, as IPC and /api call it: names only come
// back from secrets, a broken client file is a "conflict" naming file, line and column.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { ApiDispatcher } from '../../../main/api/dispatcher.ts';
import { createClientsHandlers } from '../../../main/api/clients.ts';
import { createSecretsHandlers } from '../../../main/api/secrets.ts';
import { clientsContract } from '../../../shared/api/clients.ts';
import { secretsContract } from '../../../shared/api/secrets.ts';
import { createHarness, type Harness } from './client-harness.ts';

let harness: Harness | undefined;
afterEach(async () => { await harness?.cleanup(); harness = undefined; });
const caller = { kind: 'ipc' as const };

describe('clients API', () => {
  it('lists, links, reports status and unlinks', async () => {
    harness = createHarness();
    const file = harness.place('windsurf/mcp_config.json', 'home', '.codeium/windsurf/mcp_config.json');
    const api = new ApiDispatcher(clientsContract, createClientsHandlers({ clients: harness.service }));
    const list = await api.dispatch('clients.list', {}, caller);
    expect(list.ok && (list.result as any).clients.find((c: any) => c.id === 'windsurf').files[0].servers).toEqual(['git', 'talaria', 'brave-search']);
    const linked = await api.dispatch('clients.link', { client: 'windsurf' }, caller);
    expect(linked.ok && (linked.result as any).linked.map((l: any) => l.serverId)).toEqual(['git', 'talaria', 'brave-search']);
    expect(await api.dispatch('clients.status', { client: 'windsurf', file }, caller)).toMatchObject({ ok: true, result: { status: 'linked' } });
    expect(await api.dispatch('clients.link', { client: 'windsurf' }, caller)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await api.dispatch('clients.unlink', { client: 'windsurf' }, caller)).toMatchObject({ ok: true, result: { restored: 'exact' } });
  });

  it('maps a broken file to conflict, a missing one to not_found, an unknown client to invalid_input', async () => {
    harness = createHarness();
    const file = harness.place('cursor/mcp.json', 'home', '.cursor/mcp.json');
    writeFileSync(file, '{ "mcpServers": { "a": } }');
    const api = new ApiDispatcher(clientsContract, createClientsHandlers({ clients: harness.service }));
    expect(await api.dispatch('clients.import', { client: 'cursor' }, caller)).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/mcp\.json:1:24: cannot parse/) } });
    expect(await api.dispatch('clients.import', { client: 'windsurf' }, caller)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await api.dispatch('clients.import', { client: 'emacs' }, caller)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});

describe('secrets API', () => {
  it('stores values and only ever returns names', async () => {
    harness = createHarness();
    const api = new ApiDispatcher(secretsContract, createSecretsHandlers({ secretStore: harness.secrets }));
    expect(await api.dispatch('secrets.set', { name: 'gateway-token', value: 'tok-123' }, caller)).toEqual({ ok: true, result: { name: 'gateway-token' } });
    const listed = await api.dispatch('secrets.list', {}, caller);
    expect(listed).toEqual({ ok: true, result: { names: ['gateway-token'] } });
    expect(JSON.stringify(listed)).not.toContain('tok-123');
    expect(await api.dispatch('secrets.set', { name: '../x', value: 'v' }, caller)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await api.dispatch('secrets.delete', { name: 'gateway-token' }, caller)).toEqual({ ok: true, result: { deleted: true } });
    expect(await harness.secrets.get('gateway-token')).toBeNull();
  });
});
