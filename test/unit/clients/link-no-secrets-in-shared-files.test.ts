// Linking writes no secret where a team may share it: project files (.vscode/mcp.json,
// .cursor/mcp.json, a project's .mcp.json) get the bridge command and no token; a per-user file
// that holds a token is written 0600, and its token opens only the servers linked in that file.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { adapterFor } from '../../../main/clients/adapters/index.ts';
import { launchSpecFromFile } from '../../../main/clients/launch-spec.ts';
import { REPO_BIN } from '../../../main/clients/link-endpoint.ts';
import { createHarness, type Harness } from './client-harness.ts';

let harness: Harness | undefined;
afterEach(async () => { await harness?.cleanup(); harness = undefined; });

const SERVERS = {
  memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] },
  docs: { type: 'http', url: 'https://docs.example.com/mcp' },
};

function place(at: string, data: unknown): string {
  mkdirSync(dirname(at), { recursive: true });
  writeFileSync(at, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o644 });
  chmodSync(at, 0o644);
  return at;
}

describe('linking a project file', () => {
  it.each([
    { client: 'vscode', path: '.vscode/mcp.json', map: 'servers' },
    { client: 'cursor', path: '.cursor/mcp.json', map: 'mcpServers' },
    { client: 'claude-code', path: '.mcp.json', map: 'mcpServers' },
  ])('$client $path gets bridge entries and no token', async ({ client, path, map }) => {
    harness = createHarness();
    const h = harness;
    const file = place(join(h.project, path), { [map]: SERVERS });
    const report = await h.service.link(client, file);
    expect(report.linked.map((l) => l.name)).toEqual(['memory', 'docs']);

    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/sbt_|Bearer|Authorization/i);
    for (const name of ['memory', 'docs']) {
      const spec = await launchSpecFromFile(adapterFor(client), file, [map, name]);
      expect(spec).toMatchObject({ kind: 'spawn', command: process.execPath, args: [REPO_BIN, 'bridge', name, '--data-dir', h.dataDir] });
    }
    const config = await h.config.read();
    expect(config.tokens).toEqual([]);
    expect(config.links[0]?.tokenName).toBeUndefined();
    expect(report.import.warnings).toContain(`${file} is not ${adapterFor(client).displayName}'s per-user file, so it may be shared or committed: its entries run \`switchboard bridge\` and hold no token`);
  });

  it('counts a file outside the client\'s per-user places as a project file (fail closed)', async () => {
    harness = createHarness();
    const h = harness;
    const file = place(join(h.root, 'elsewhere', 'mcp.json'), { mcpServers: SERVERS });
    await h.service.link('cursor', file);
    expect(readFileSync(file, 'utf8')).not.toContain('sbt_');
    expect((await h.config.read()).tokens).toEqual([]);
  });
});

describe('linking a per-user file', () => {
  it('writes it 0600 and issues a token scoped to the servers it links', async () => {
    harness = createHarness();
    const h = harness;
    const file = place(join(h.home, '.cursor', 'mcp.json'), { mcpServers: SERVERS });
    const report = await h.service.link('cursor', file);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const spec = await launchSpecFromFile(adapterFor('cursor'), file, ['mcpServers', 'memory']);
    if (spec.kind !== 'http') throw new Error('expected a URL entry');
    const token = /^Bearer (sbt_\S+)$/.exec(spec.headers.Authorization ?? '')![1]!;
    const config = await h.config.read();
    const issued = config.tokens.find((t) => t.sha256 === createHash('sha256').update(token).digest('hex'));
    expect(issued?.servers?.sort()).toEqual(report.linked.map((l) => l.serverId).sort());
  });
});
