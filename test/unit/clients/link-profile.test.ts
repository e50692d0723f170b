// `client link <client> --profile <name>`: one entry for the whole profile (the /mcp URL with a
// token bound to the profile, or `bridge --profile` in a shared project file), the entries of the
// profile's servers taken out, the others left; unlink restores the file byte for byte. Through
// the CLI and the in-process product, on Cursor's real-shaped fixture, the real Secret Service.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { ProfileSchema } from '../../../shared/profiles.ts';
import { parseJsonc } from '../../../main/clients/jsonc-document.ts';
import { REPO_BIN } from '../../../main/clients/link-endpoint.ts';
import { createHarness, HTTP_PORT, runClientCommand, type Harness } from './client-harness.ts';

let harness: Harness | undefined;
afterEach(async () => { await harness?.cleanup(); harness = undefined; });

async function withProfile(h: Harness, servers: string[]): Promise<void> {
  await h.config.update((config) => {
    config.profiles.push(ProfileSchema.parse({ name: 'work', servers }));
  });
}

describe('client link --profile', () => {
  it('cursor: writes one /mcp entry with a token bound to the profile, takes out the profile\'s servers, and unlink restores byte for byte', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('cursor/mcp.json', 'home', '.cursor/mcp.json');
    const original = readFileSync(file);
    await withProfile(h, ['memory', 'linear']);

    const out = await runClientCommand(h, 'link', 'cursor', '--profile', 'work');
    expect(out).toContain('switchboard-work → work');
    expect(out).toContain("left postgres as it was: its server 'postgres' is not served by profile \"work\"");
    const data = parseJsonc(file, readFileSync(file, 'utf8')) as { mcpServers: Record<string, { url?: string; headers?: Record<string, string>; command?: string }>; 'x-team-note': string };
    expect(Object.keys(data.mcpServers).sort()).toEqual(['postgres', 'switchboard-work']);
    expect(data['x-team-note']).toBe('managed by the platform team');
    const entry = data.mcpServers['switchboard-work']!;
    expect(entry.url).toBe(`http://127.0.0.1:${HTTP_PORT}/mcp`);
    const token = /^Bearer (sbt_[A-Za-z0-9_-]{43})$/.exec(entry.headers?.Authorization ?? '')?.[1];
    expect(token).toBeDefined();

    const config = await h.config.read();
    const issued = config.tokens.find((t) => t.sha256 === createHash('sha256').update(token!).digest('hex'));
    expect(issued).toMatchObject({ profile: 'work' });
    expect(issued!.servers).toBeUndefined();
    expect(config.links).toHaveLength(1);
    expect(config.links[0]).toMatchObject({ client: 'cursor', profile: 'work', tokenName: issued!.name });
    expect((await h.service.status('cursor', file)).status).toBe('linked');

    const unlinked = await runClientCommand(h, 'unlink', 'cursor');
    expect(unlinked).toContain('exactly as it was before linking');
    expect(readFileSync(file)).toEqual(original);
    const after = await h.config.read();
    expect(after.links).toEqual([]);
    expect(after.tokens).toEqual([]);
  });

  it('a project file gets `switchboard bridge --profile` and no token', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('cursor/project-mcp.json', 'project', '.cursor/mcp.json');
    await withProfile(h, ['memory']);
    await runClientCommand(h, 'link', 'cursor', '--profile', 'work', '--config', file);
    const data = parseJsonc(file, readFileSync(file, 'utf8')) as { mcpServers: Record<string, { command?: string; args?: string[] }> };
    expect(data.mcpServers['switchboard-work']).toEqual({ command: process.execPath, args: [REPO_BIN, 'bridge', '--profile', 'work', '--data-dir', h.dataDir] });
    expect((await h.config.read()).tokens).toEqual([]);
  });

  it('an edit after linking: unlink puts back the entries the link took out and keeps the edit', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('cursor/mcp.json', 'home', '.cursor/mcp.json');
    const originalData = parseJsonc(file, readFileSync(file, 'utf8')) as Record<string, unknown>;
    await withProfile(h, ['memory', 'linear']);
    await runClientCommand(h, 'link', 'cursor', '--profile', 'work');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"x-team-note"', '"added-by-user": 1,\n  "x-team-note"'));

    await runClientCommand(h, 'unlink', 'cursor');
    expect(parseJsonc(file, readFileSync(file, 'utf8'))).toEqual({ ...originalData, 'added-by-user': 1 });
  });

  it('an unknown profile is refused before anything changes', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('cursor/mcp.json', 'home', '.cursor/mcp.json');
    const original = readFileSync(file);
    await expect(runClientCommand(h, 'link', 'cursor', '--profile', 'nope')).rejects.toThrow(/cannot link .* to profile "nope": no profile "nope"/);
    expect(readFileSync(file)).toEqual(original);
    expect((await h.config.read()).servers).toEqual([]);
  });
});
