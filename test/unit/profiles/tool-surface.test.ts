// The tool surface of a profile: names within MCP's rules and distinct by construction, renames
// that collide refused, include/exclude, per-tool visibility, the visible cap and "most used".
import { describe, expect, it } from 'vitest';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ProfileSchema, TOOL_NAME_PATTERN, type ProfileInput } from '../../../shared/profiles.ts';
import {
  buildToolSurface, CALL_TOOL, FIND_TOOLS, isInProfile, listedTools, LOAD_TOOLS, META_TOOLS, namespacedName,
  ProfileNameCollisionError, type UpstreamTool,
} from '../../../main/profiles/tool-surface.ts';

const profile = (input: Partial<ProfileInput> = {}) => ProfileSchema.parse({ name: 'work', servers: ['everything'], ...input });
const tool = (name: string, description = `the ${name} tool`): Tool => ({ name, description, inputSchema: { type: 'object' } });
const upstream = (serverId: string, ...names: string[]): UpstreamTool[] => names.map((name) => ({ serverId, tool: tool(name) }));

describe('namespacedName', () => {
  it('is "<server><sep><tool>" when that is a valid MCP name', () => {
    expect(namespacedName('everything', 'get-sum', '__')).toBe('everything__get-sum');
    expect(namespacedName('memory', 'read_graph', '.')).toBe('memory.read_graph');
  });

  it('shortens deterministically within MCP\'s rules when too long or when characters must be replaced', () => {
    const long = namespacedName('everything', 'x'.repeat(200), '__');
    expect(long).toMatch(TOOL_NAME_PATTERN);
    expect(long.length).toBe(128);
    expect(namespacedName('everything', 'x'.repeat(200), '__')).toBe(long);
    const odd = namespacedName('github', 'create issue/ü', '__');
    expect(odd).toMatch(TOOL_NAME_PATTERN);
    expect(odd).toMatch(/^_github__create_issue__-[0-9a-f]{16}$/);
  });

  it('keeps distinct inputs distinct: same prefix after truncation, same text after replacement, ambiguous splits', () => {
    const pairs: Array<[string, string]> = [
      ['everything', `${'x'.repeat(150)}a`], ['everything', `${'x'.repeat(150)}b`],
      ['github', 'create issue'], ['github', 'create/issue'], ['github', 'create_issue'],
      ['a', 'b__c'], ['a__b', 'c'], ['a_', '_b'], ['a', '_b'], ['a', '___b'],
      ['find', 'tools'],
    ];
    for (const sep of ['__', '_', '.', '-']) {
      const names = pairs.map(([s, t]) => namespacedName(s, t, sep));
      for (const name of names) expect(name).toMatch(TOOL_NAME_PATTERN);
      expect(new Set(names).size, `separator ${sep}: ${names.join(', ')}`).toBe(pairs.length);
      expect(names.filter((n) => [FIND_TOOLS, LOAD_TOOLS, CALL_TOOL].includes(n))).toEqual([]);
    }
  });
});

describe('isInProfile', () => {
  it('include keeps only matching tools; exclude removes matching ones', () => {
    const p = profile({ include: ['everything/*', 'memory/read_*'], exclude: ['everything/get-tiny-image'] });
    expect(isInProfile(p, 'everything', 'echo')).toBe(true);
    expect(isInProfile(p, 'everything', 'get-tiny-image')).toBe(false);
    expect(isInProfile(p, 'memory', 'read_graph')).toBe(true);
    expect(isInProfile(p, 'memory', 'delete_entities')).toBe(false);
    expect(isInProfile(profile(), 'any', 'thing')).toBe(true);
  });
});

describe('buildToolSurface', () => {
  const tools = [...upstream('everything', 'echo', 'get-sum', 'get-tiny-image'), ...upstream('memory', 'read_graph', 'delete_entities')];

  it('namespaces every tool, applies renames and description overrides, and lists excluded tools', () => {
    const surface = buildToolSurface(profile({
      exclude: ['memory/delete_*'],
      tools: { 'everything/get-sum': { name: 'add', description: 'Adds two numbers' } },
    }), tools);
    expect(surface.tools.map((t) => t.exposedName).sort()).toEqual(['add', 'everything__echo', 'everything__get-tiny-image', 'memory__read_graph']);
    const add = surface.byExposedName.get('add')!;
    expect(add).toMatchObject({ serverId: 'everything', toolName: 'get-sum', visibility: 'visible' });
    expect(add.tool).toMatchObject({ name: 'add', description: 'Adds two numbers', inputSchema: { type: 'object' } });
    expect(surface.byExposedName.get('everything__echo')!.tool.description).toBe('the echo tool');
    expect(surface.excluded).toEqual([{ serverId: 'memory', toolName: 'delete_entities' }]);
  });

  it('refuses a rename that collides with another tool\'s name, naming both', () => {
    const p = profile({ tools: { 'memory/read_graph': { name: 'everything__echo' } } });
    expect(() => buildToolSurface(p, tools)).toThrow(ProfileNameCollisionError);
    expect(() => buildToolSurface(p, tools)).toThrow(/"everything__echo".*"everything\/echo" and "memory\/read_graph"/);
    const two = profile({ tools: { 'memory/read_graph': { name: 'x' }, 'everything/echo': { name: 'x' } } });
    expect(() => buildToolSurface(two, tools)).toThrow(ProfileNameCollisionError);
  });

  it('refuses a rename to a meta-tool name', () => {
    expect(() => buildToolSurface(profile({ tools: { 'everything/echo': { name: FIND_TOOLS } } }), tools)).toThrow(/meta-tool find_tools/);
  });

  it('unlisted tools take the profile\'s visibility; listed ones their own', () => {
    const surface = buildToolSurface(profile({ visibility: 'deferred', tools: { 'memory/read_graph': { visibility: 'visible' } } }), tools);
    expect(surface.tools.filter((t) => t.visibility === 'visible').map((t) => t.exposedName)).toEqual(['memory__read_graph']);
    expect(surface.tools[0]!.exposedName).toBe('memory__read_graph');
    expect(listedTools(surface).map((t) => t.name)).toEqual(['memory__read_graph', FIND_TOOLS, LOAD_TOOLS, CALL_TOOL]);
  });

  it('caps visible tools: listed visible first (in their order), then by name; the rest deferred', () => {
    const surface = buildToolSurface(profile({ maxVisible: 3, tools: { 'memory/read_graph': { visibility: 'visible' }, 'everything/get-sum': { visibility: 'visible' } } }), tools);
    const visible = surface.tools.filter((t) => t.visibility === 'visible').map((t) => t.exposedName);
    expect(visible).toEqual(['memory__read_graph', 'everything__get-sum', 'everything__echo']);
    expect(surface.tools.filter((t) => t.visibility === 'deferred').map((t) => t.exposedName)).toEqual(['everything__get-tiny-image', 'memory__delete_entities']);
    expect(surface.tools.slice(0, 3).every((t) => t.visibility === 'visible')).toBe(true);
  });

  it('without a cap or deferred tools, tools/list carries no meta-tools', () => {
    const surface = buildToolSurface(profile(), tools);
    expect(listedTools(surface)).toHaveLength(tools.length);
    expect(surface.tools.every((t) => t.visibility === 'visible')).toBe(true);
  });

  it('mostUsed makes the N most used visible even when the profile defers by default, and they come before the rest under the cap', () => {
    const usage = new Map([['memory/delete_entities', 9], ['everything/get-tiny-image', 4], ['everything/echo', 1]]);
    const deferredByDefault = buildToolSurface(profile({ visibility: 'deferred', mostUsed: 2 }), tools, { usage });
    expect(deferredByDefault.tools.filter((t) => t.visibility === 'visible').map((t) => t.exposedName)).toEqual(['memory__delete_entities', 'everything__get-tiny-image']);
    const capped = buildToolSurface(profile({ mostUsed: 1, maxVisible: 2 }), tools, { usage });
    expect(capped.tools.filter((t) => t.visibility === 'visible').map((t) => t.exposedName)).toEqual(['memory__delete_entities', 'everything__echo']);
  });

  it('the meta-tools have the input schemas the federated session expects', () => {
    const byName = new Map(META_TOOLS.map((t) => [t.name, t]));
    expect(byName.get(FIND_TOOLS)!.inputSchema).toMatchObject({ required: ['query'], properties: { query: { type: 'string' }, limit: { type: 'integer' } } });
    expect(byName.get(LOAD_TOOLS)!.inputSchema).toMatchObject({ required: ['names'], properties: { names: { type: 'array' } } });
    expect(byName.get(CALL_TOOL)!.inputSchema).toMatchObject({ required: ['name'], properties: { name: { type: 'string' }, arguments: { type: 'object' } } });
  });
});
