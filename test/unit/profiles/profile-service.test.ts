// Effective profiles: the built-in default, profiles policy ships and a user's narrowing of them
// (narrowing applies, widening is left out and named), and servers that are missing with why.
import { describe, expect, it } from 'vitest';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ConfigSchema, type Config, type ServerConfig } from '../../../shared/config.ts';
import { ProfileSchema, type Profile, type ProfileInput } from '../../../shared/profiles.ts';
import { PolicyDocumentSchema } from '../../../shared/policy.ts';
import { narrowProfile } from '../../../main/profiles/profile-merge.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PinStore } from '../../../main/policy/pin-store.ts';
import { pinnedTools, ProfileService } from '../../../main/profiles/profile-service.ts';
import { isInProfile, listedTools } from '../../../main/profiles/tool-surface.ts';

const profile = (input: Partial<ProfileInput> & { name?: string }): Profile => ProfileSchema.parse({ name: 'work', servers: ['everything', 'memory'], ...input });
const tool = (name: string): Tool => ({ name, description: `the ${name} tool`, inputSchema: { type: 'object' } });

const TOOLS: Record<string, Tool[]> = {
  everything: ['echo', 'get-sum', 'get-tiny-image'].map(tool),
  memory: ['read_graph', 'delete_entities'].map(tool),
  filesystem: ['read_file'].map(tool),
  github: ['create_issue'].map(tool),
};

function config(profiles: ProfileInput[] = [], extra: Partial<Record<string, unknown>> = {}): Config {
  return ConfigSchema.parse({
    servers: [
      { id: 'everything', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] },
      { id: 'memory', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] },
      { id: 'filesystem', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], enabled: false },
      { id: 'github', transport: 'streamable-http', url: 'https://api.githubcopilot.com/mcp/' },
    ],
    profiles,
    ...extra,
  });
}

function service(options: { config?: Config; managed?: Profile[]; org?: Profile[]; refuse?: string[] } = {}) {
  const cfg = options.config ?? config();
  return new ProfileService({
    config: () => cfg,
    shipped: () => ({ ...(options.managed ? { managed: options.managed } : {}), ...(options.org ? { org: options.org } : {}) }),
    admit: (server: ServerConfig) => (options.refuse?.includes(server.id) ? { ok: false, reason: `server "${server.id}" is refused by managed policy: deny github` } : { ok: true }),
    pinnedTools: (id) => TOOLS[id] ?? [],
  });
}

describe('narrowProfile (a user narrows a profile policy ships)', () => {
  const shipped = profile({ exclude: ['memory/delete_*'], maxVisible: 3, tools: { 'everything/echo': { visibility: 'deferred', description: 'IT says: echo' } } });

  it('narrowing applies: fewer servers, more excluded, include on top, deferred, renamed, a lower cap', () => {
    const { profile: merged, ignored } = narrowProfile(shipped, profile({
      servers: ['everything'], include: ['everything/*'], exclude: ['everything/get-tiny-image'], maxVisible: 1,
      tools: { 'everything/get-sum': { name: 'add', visibility: 'deferred' } },
    }), 'user');
    expect(ignored).toEqual([]);
    expect(merged.maxVisible).toBe(1);
    expect(merged.exclude).toEqual(['memory/delete_*', 'everything/get-tiny-image']);
    expect(merged.tools!['everything/get-sum']).toEqual({ name: 'add', visibility: 'deferred' });
    expect(isInProfile(merged, 'memory', 'read_graph')).toBe(false);
    expect(isInProfile(merged, 'everything', 'get-sum')).toBe(true);
    expect(isInProfile(merged, 'everything', 'get-tiny-image')).toBe(false);
  });

  it('widening is left out and named: a deferred tool made visible, a higher cap, another description, more most-used', () => {
    const { profile: merged, ignored } = narrowProfile(shipped, profile({
      maxVisible: 10, mostUsed: 5,
      tools: { 'everything/echo': { visibility: 'visible', description: 'mine' } },
    }), 'user');
    expect(merged.maxVisible).toBe(3);
    expect(merged.mostUsed).toBeUndefined();
    expect(merged.tools!['everything/echo']).toEqual({ visibility: 'deferred', description: 'IT says: echo' });
    expect(ignored).toHaveLength(4);
    expect(ignored.join('\n')).toMatch(/everything\/echo"]\.visibility: the shipped profile defers this tool/);
    expect(ignored.join('\n')).toMatch(/maxVisible 10: the shipped profile shows at most 3/);
  });

  it('including what the shipped profile excludes does not bring it back', () => {
    const { profile: merged } = narrowProfile(shipped, profile({ include: ['memory/*'] }), 'user');
    expect(isInProfile(merged, 'memory', 'delete_entities')).toBe(false);
    expect(isInProfile(merged, 'memory', 'read_graph')).toBe(true);
  });

  it('a shipped deferred default stays deferred', () => {
    const { profile: merged } = narrowProfile(profile({ visibility: 'deferred' }), profile({ visibility: 'visible' }), 'user');
    expect(merged.visibility).toBe('deferred');
  });
});

describe('ProfileService', () => {
  it('has a default profile of every configured, admitted server with every tool visible and no cap', async () => {
    const profiles = service({ refuse: ['github'] });
    const effective = profiles.get('default');
    expect(effective.source).toBe('default');
    const { servers, missing, surface } = await profiles.surface(effective);
    expect(servers).toEqual(['everything', 'memory']);
    expect(missing).toEqual([
      { server: 'filesystem', reason: 'it is disabled in the configuration' },
      { server: 'github', reason: 'server "github" is refused by managed policy: deny github' },
    ]);
    expect(surface.tools.every((t) => t.visibility === 'visible')).toBe(true);
    expect(listedTools(surface)).toHaveLength(5);
  });

  it('a profile naming a server that is not configured works with the rest and says which is missing', async () => {
    const profiles = service({ config: config([{ name: 'work', servers: ['everything', 'nope'] }]) });
    const result = await profiles.surface(profiles.get('work'));
    expect(result.servers).toEqual(['everything']);
    expect(result.missing).toEqual([{ server: 'nope', reason: 'no server "nope" is configured' }]);
    expect(result.toolsFrom).toEqual({ everything: 'pins' });
    expect(result.surface.tools.map((t) => t.exposedName)).toEqual(['everything__echo', 'everything__get-sum', 'everything__get-tiny-image']);
  });

  it('matches servers by policy matchers (a package, confirmed from the command)', () => {
    const profiles = service({ config: config([{ name: 'mcp', servers: [{ package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-*' } }] }]) });
    expect(profiles.resolve(profiles.get('mcp')).servers).toEqual(['everything', 'memory']);
  });

  it('policy ships a profile; the user\'s config entry of the same name narrows it and cannot add a server', async () => {
    const managed = [profile({ name: 'work', servers: ['everything', 'memory'], exclude: ['memory/delete_*'] })];
    const profiles = service({ managed, config: config([{ name: 'work', servers: ['everything', 'github'], tools: { 'everything/get-sum': { visibility: 'deferred' } } }]) });
    const effective = profiles.get('work');
    expect(effective).toMatchObject({ source: 'managed', narrowedBy: ['user'] });
    const result = await profiles.surface(effective);
    expect(result.servers).toEqual(['everything']);
    expect(result.missing).toContainEqual({ server: 'github', reason: 'not in the profile "work" that managed policy ships; a narrowing cannot add servers' });
    expect(result.surface.byExposedName.get('everything__get-sum')!.visibility).toBe('deferred');
  });

  it('the org document narrows a managed profile of the same name; an org profile of its own stands', () => {
    const profiles = service({
      managed: [profile({ name: 'work', maxVisible: 5 })],
      org: [profile({ name: 'work', maxVisible: 8, servers: ['memory'] }), profile({ name: 'org-only', servers: ['memory'] })],
    });
    expect(profiles.get('work')).toMatchObject({ source: 'managed', narrowedBy: ['org'], ignored: ['maxVisible 8: the shipped profile shows at most 5'] });
    expect(profiles.resolve(profiles.get('work')).servers).toEqual(['memory']);
    expect(profiles.get('org-only').source).toBe('org');
    expect(profiles.list().map((p) => p.name)).toEqual(['default', 'org-only', 'work']);
  });

  it('policy documents carry a profiles section', () => {
    const doc = PolicyDocumentSchema.parse({ version: 1, profiles: [{ name: 'work', servers: ['everything'], maxVisible: 5 }] });
    expect(doc.profiles![0]!.maxVisible).toBe(5);
    expect(() => PolicyDocumentSchema.parse({ version: 1, profiles: [{ name: 'bad name!', servers: ['x'] }] })).toThrow(/profile names/);
    expect(() => ProfileSchema.parse({ name: 'work', servers: ['x'], exclude: ['memory/[delete'] })).toThrow(/not a valid glob: .* is never closed/);
  });

  it('names the tokens and linked files bound to a profile', () => {
    const cfg = config([{ name: 'work', servers: ['everything'] }], {
      tokens: [{ name: 'cursor', sha256: 'a'.repeat(64), createdAt: '2026-01-01T00:00:00.000Z', profile: 'work' }, { name: 'other', sha256: 'b'.repeat(64), createdAt: '2026-01-01T00:00:00.000Z' }],
    });
    expect(service({ config: cfg }).usedBy('work')).toEqual({ tokens: ['cursor'], clients: [] });
  });

  it('a server that is not running: its tools last seen (the pin store), without those policy hides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-pins-'));
    try {
      const pins = new PinStore({ file: join(dir, 'tool-pins.json') });
      pins.observe('memory', { name: 'read_graph', description: 'reads', inputSchema: { type: 'object', properties: {} } });
      pins.observe('memory', { name: 'delete_entities', description: 'deletes' });
      const seen = pinnedTools(new PinStore({ file: join(dir, 'tool-pins.json') }), 'memory', (tool) => tool.name.startsWith('delete_'));
      expect(seen).toEqual([{ name: 'read_graph', description: 'reads', inputSchema: { type: 'object', properties: {} } }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
