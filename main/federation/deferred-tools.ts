// The meta-tools of a profile with deferred tools: find_tools searches the surface (minisearch,
// prefix and fuzzy matching over names and descriptions), load_tools makes tools visible for the
// session, call_tool calls a tool directly (for clients that ignore list_changed).
import MiniSearch from 'minisearch';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { CALL_TOOL, FIND_TOOLS, LOAD_TOOLS, type SurfaceTool, type ToolSurface } from '../profiles/tool-surface.ts';

export const DEFAULT_FIND_LIMIT = 10;
const MAX_FIND_LIMIT = 50;

export const META_TOOLS: readonly Tool[] = [
  {
    name: FIND_TOOLS,
    description: 'Search the tools of this profile that are not listed yet, by words of their name or description (partial words work). Load a tool found with load_tools, or call it with call_tool.',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Words to look for, e.g. "sum" or "read file"' },
        limit: { type: 'integer', minimum: 1, maximum: MAX_FIND_LIMIT, description: `How many tools to return (default ${DEFAULT_FIND_LIMIT})` },
      },
      required: ['query'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: LOAD_TOOLS,
    description: 'Make tools found with find_tools visible in tools/list for this session (the list changes; a list_changed notification follows).',
    inputSchema: {
      type: 'object',
      properties: { names: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Tool names as find_tools returned them' } },
      required: ['names'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: CALL_TOOL,
    description: 'Call a tool of this profile by the name find_tools returned, without loading it first.',
    inputSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'The tool name as find_tools returned it' },
        arguments: { type: 'object', description: 'The tool\'s arguments' },
      },
      required: ['name'],
    },
  },
];

export const META_TOOL_NAMES: ReadonlySet<string> = new Set([FIND_TOOLS, LOAD_TOOLS, CALL_TOOL]);

export interface FoundTool {
  readonly name: string;
  readonly server: string;
  readonly description: string;
  readonly loaded: boolean;
}

/** A search index over one surface (rebuilt when the surface changes). */
export class ToolSearch {
  readonly surface: ToolSurface;
  private readonly index: MiniSearch<{ id: string; name: string; words: string; description: string }>;

  constructor(surface: ToolSurface) {
    this.surface = surface;
    this.index = new MiniSearch({
      fields: ['name', 'words', 'description'],
      storeFields: [],
      searchOptions: { boost: { name: 3, words: 3 }, prefix: true, fuzzy: 0.2, combineWith: 'OR' },
    });
    this.index.addAll(surface.tools.map((tool) => ({
      id: tool.exposedName,
      name: tool.exposedName,
      // "get-sum", "everything__get_sum": the parts as words of their own.
      words: `${tool.serverId} ${tool.toolName}`.split(/[^A-Za-z0-9]+/).join(' '),
      description: tool.tool.description ?? '',
    })));
  }

  find(query: string, limit: number, isVisible: (tool: SurfaceTool) => boolean): FoundTool[] {
    const hits = this.index.search(query);
    const found: FoundTool[] = [];
    for (const hit of hits) {
      const tool = this.surface.byExposedName.get(String(hit.id));
      if (!tool) continue;
      found.push({ name: tool.exposedName, server: tool.serverId, description: tool.tool.description ?? '', loaded: isVisible(tool) });
      if (found.length >= limit) break;
    }
    return found;
  }
}

export function findLimit(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return DEFAULT_FIND_LIMIT;
  return Math.min(value, MAX_FIND_LIMIT);
}
