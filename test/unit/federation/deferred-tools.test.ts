import { describe, expect, it } from 'vitest';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ToolSearch, findLimit } from '../../../main/federation/deferred-tools.ts';
import { buildToolSurface } from '../../../main/profiles/tool-surface.ts';
import { ProfileSchema } from '../../../shared/profiles.ts';

const tool = (name: string, description: string): Tool => ({ name, description, inputSchema: { type: 'object' } });

const surface = buildToolSurface(ProfileSchema.parse({ name: 'p', servers: ['everything', 'memory'], visibility: 'deferred' }), [
  { serverId: 'everything', tool: tool('get-sum', 'Returns the sum of two numbers') },
  { serverId: 'everything', tool: tool('echo', 'Echoes back the input') },
  { serverId: 'memory', tool: tool('search_nodes', 'Search for nodes in the knowledge graph') },
  { serverId: 'memory', tool: tool('read_graph', 'Read the entire knowledge graph') },
]);

describe('find_tools ranking', () => {
  const search = new ToolSearch(surface);
  const names = (query: string) => search.find(query, 10, () => false).map((found) => found.name);

  it('finds a tool by a word of its hyphenated name', () => {
    expect(names('sum')[0]).toBe('everything__get-sum');
  });

  it('copes with partial and misspelt words', () => {
    expect(names('summ')[0]).toBe('everything__get-sum');
    expect(names('knowled')).toEqual(expect.arrayContaining(['memory__search_nodes', 'memory__read_graph']));
    expect(names('grapj')).toContain('memory__read_graph');
  });

  it('ranks a name match above a description match', () => {
    expect(names('search')[0]).toBe('memory__search_nodes');
  });

  it('says whether a found tool is loaded, and honours the limit', () => {
    expect(search.find('graph', 1, (found) => found.exposedName === 'memory__read_graph')).toHaveLength(1);
    expect(search.find('read graph', 5, (found) => found.exposedName === 'memory__read_graph').find((found) => found.name === 'memory__read_graph')?.loaded).toBe(true);
    expect(findLimit(undefined)).toBe(10);
    expect(findLimit(500)).toBe(50);
    expect(findLimit(-1)).toBe(10);
  });
});
