// What a client sees of a profile's tools: which are in it, under what name, visible or deferred.
// A pure function of the profile and the upstream tools (and, for "most used", call counts).
import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { MAX_TOOL_NAME_LENGTH, type Profile } from '../../shared/profiles.ts';
import { compileGlob } from '../policy/glob.ts';

export interface UpstreamTool { readonly serverId: string; readonly tool: Tool }
export interface SurfaceTool {
  readonly exposedName: string;
  readonly serverId: string;
  readonly toolName: string;
  readonly visibility: 'visible' | 'deferred';
  /** name = exposedName, description override applied. */
  readonly tool: Tool;
}
export interface ToolSurface {
  readonly tools: readonly SurfaceTool[];
  readonly byExposedName: ReadonlyMap<string, SurfaceTool>;
  readonly excluded: readonly { serverId: string; toolName: string }[];
}

export const FIND_TOOLS = 'find_tools';
export const LOAD_TOOLS = 'load_tools';
export const CALL_TOOL = 'call_tool';

export class ProfileNameCollisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileNameCollisionError';
  }
}

/** `<server><separator><tool>`, within MCP's name rules; too long or odd characters: shortened with a hash of the full name. */
export function namespacedName(serverId: string, toolName: string, separator: string): string {
  const full = `${serverId}${separator}${toolName}`;
  const clean = full.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (clean === full && full.length <= MAX_TOOL_NAME_LENGTH) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${clean.slice(0, MAX_TOOL_NAME_LENGTH - 9)}_${hash}`;
}

export function isInProfile(profile: Profile, serverId: string, toolName: string): boolean {
  const key = `${serverId}/${toolName}`;
  if (profile.include && !profile.include.some((glob) => compileGlob(glob)(key))) return false;
  return !(profile.exclude ?? []).some((glob) => compileGlob(glob)(key));
}

export function buildToolSurface(profile: Profile, tools: readonly UpstreamTool[], options: { usage?: ReadonlyMap<string, number> } = {}): ToolSurface {
  const separator = profile.separator ?? '__';
  const settings = profile.tools ?? {};
  const order = Object.keys(settings);
  const usage = options.usage ?? new Map<string, number>();
  const excluded: { serverId: string; toolName: string }[] = [];
  const chosen: Array<{ key: string; serverId: string; tool: Tool; exposedName: string; visibility: 'visible' | 'deferred' }> = [];
  const owners = new Map<string, string>();
  for (const { serverId, tool } of tools) {
    if (!isInProfile(profile, serverId, tool.name)) {
      excluded.push({ serverId, toolName: tool.name });
      continue;
    }
    const key = `${serverId}/${tool.name}`;
    const setting = settings[key];
    const exposedName = setting?.name ?? namespacedName(serverId, tool.name, separator);
    const owner = owners.get(exposedName);
    if (owner !== undefined) throw new ProfileNameCollisionError(`profile '${profile.name}': ${owner} and ${key} would both be called '${exposedName}'; rename one in the profile's "tools"`);
    owners.set(exposedName, key);
    chosen.push({ key, serverId, tool, exposedName, visibility: setting?.visibility ?? profile.visibility ?? 'visible' });
  }
  if (profile.mostUsed !== undefined) {
    const used = chosen.filter((entry) => (usage.get(entry.key) ?? 0) > 0)
      .sort((a, b) => (usage.get(b.key) ?? 0) - (usage.get(a.key) ?? 0)).slice(0, profile.mostUsed);
    for (const entry of used) entry.visibility = 'visible';
  }
  if (profile.maxVisible !== undefined) {
    const rank = (entry: { key: string }) => {
      const listed = order.indexOf(entry.key);
      return listed === -1 ? order.length : listed;
    };
    const visible = chosen.filter((entry) => entry.visibility === 'visible')
      .sort((a, b) => rank(a) - rank(b) || (usage.get(b.key) ?? 0) - (usage.get(a.key) ?? 0) || a.exposedName.localeCompare(b.exposedName));
    for (const entry of visible.slice(profile.maxVisible)) entry.visibility = 'deferred';
  }
  const surface: SurfaceTool[] = chosen.map((entry) => {
    const description = settings[entry.key]?.description;
    return {
      exposedName: entry.exposedName,
      serverId: entry.serverId,
      toolName: entry.tool.name,
      visibility: entry.visibility,
      tool: { ...entry.tool, name: entry.exposedName, ...(description !== undefined ? { description } : {}) },
    };
  });
  return { tools: surface, byExposedName: new Map(surface.map((tool) => [tool.exposedName, tool])), excluded };
}
