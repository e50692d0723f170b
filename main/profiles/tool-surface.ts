// A profile's tool surface: which upstream tools a client of the profile gets, under which names,
// and which of them are visible in tools/list or deferred (found with find_tools, loaded with
// load_tools, called with call_tool). A pure function of the profile, the tools and the usage
// counts: the federated session, the preview and save-time validation all build the same one.
import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { MAX_TOOL_NAME_LENGTH, TOOL_NAME_PATTERN, type Profile } from '../../shared/profiles.ts';
import { compileGlob, type Matcher } from '../policy/glob.ts';

export interface UpstreamTool { readonly serverId: string; readonly tool: Tool }

export interface SurfaceTool {
  /** What clients see: namespaced "<server><sep><tool>" (shortened deterministically when needed), or the profile's rename. */
  readonly exposedName: string;
  readonly serverId: string;
  /** The upstream's own name. */
  readonly toolName: string;
  readonly visibility: 'visible' | 'deferred';
  /** The upstream tool with name = exposedName and the description override applied. */
  readonly tool: Tool;
}

/**
 * A narrowing a profile carries besides its own fields: a user's (or the org's) profile of the same
 * name as one that policy ships can only take away, so its include globs and server list apply on
 * top of the shipped ones (main/profiles/profile-merge.ts). Every layer must keep a tool or server.
 */
export interface ProfileLayer {
  readonly source: 'org' | 'user';
  readonly include?: readonly string[];
  readonly servers?: Profile['servers'];
}
export type LayeredProfile = Profile & { readonly layers?: readonly ProfileLayer[] };

export interface ToolSurface {
  /** Every tool in the profile, visible first. */
  readonly tools: readonly SurfaceTool[];
  readonly byExposedName: ReadonlyMap<string, SurfaceTool>;
  /** Tools of the profile's servers that include/exclude leave out (a call to one is refused). */
  readonly excluded: readonly { serverId: string; toolName: string }[];
}

/** The meta-tools a federated session lists when any tool of its profile is deferred. */
export const FIND_TOOLS = 'find_tools';
export const LOAD_TOOLS = 'load_tools';
export const CALL_TOOL = 'call_tool';
export const META_TOOL_NAMES: readonly string[] = [FIND_TOOLS, LOAD_TOOLS, CALL_TOOL];

export const FIND_TOOLS_TOOL: Tool = {
  name: FIND_TOOLS,
  description: 'Search the tools that are available but not listed yet (deferred), by name and description. Returns their names, descriptions and input schemas; load one with load_tools or call it with call_tool.',
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'Words to look for in tool names and descriptions (partial words match)' },
      limit: { type: 'integer', minimum: 1, maximum: 50, description: 'At most this many results (default 10)' },
    },
    required: ['query'],
  },
};

export const LOAD_TOOLS_TOOL: Tool = {
  name: LOAD_TOOLS,
  description: 'Add deferred tools to this session\'s tool list (by the names find_tools returned); the list is then sent again (notifications/tools/list_changed).',
  inputSchema: {
    type: 'object',
    properties: { names: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Tool names as find_tools returned them' } },
    required: ['names'],
  },
};

export const CALL_TOOL_TOOL: Tool = {
  name: CALL_TOOL,
  description: 'Call a tool by name, including a deferred one that is not in the tool list; the same policy, approvals and audit apply as to a direct call.',
  inputSchema: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'The tool\'s name as find_tools returned it' },
      arguments: { type: 'object', description: 'The tool\'s arguments', additionalProperties: true },
    },
    required: ['name'],
  },
};

export const META_TOOLS: readonly Tool[] = [FIND_TOOLS_TOOL, LOAD_TOOLS_TOOL, CALL_TOOL_TOOL];

/** Two tools of one profile would be listed under the same name. */
export class ProfileNameCollisionError extends Error {
  readonly exposedName: string;
  readonly tools: readonly string[];
  constructor(exposedName: string, tools: readonly string[]) {
    super(`two tools would be listed as "${exposedName}": ${tools.map((t) => `"${t}"`).join(' and ')}; give one of them another name in the profile's "tools" (e.g. "tools": {"${tools[tools.length - 1]}": {"name": "…"}})`);
    this.name = 'ProfileNameCollisionError';
    this.exposedName = exposedName;
    this.tools = tools;
  }
}

/** The key of a tool in `tools`, include/exclude globs and usage counts. */
export function toolKey(serverId: string, toolName: string): string {
  return `${serverId}/${toolName}`;
}

const HASH_LENGTH = 16;
const INVALID_CHARS = /[^A-Za-z0-9_.-]/g;

/**
 * "<server><sep><tool>" when that is a valid MCP tool name that names only this pair; otherwise a
 * shortened form "_<readable>-<16 hex of SHA-256>". Distinct pairs never share a name: a plain
 * name splits back into its pair at the first separator (the server id may not contain the
 * separator, nor end with a part of it that makes the split ambiguous), and server ids start with a
 * letter or digit, so a plain name never starts with "_" as every shortened one does; shortened
 * names differ in their hash of the exact pair.
 */
export function namespacedName(serverId: string, toolName: string, separator: string): string {
  const plain = `${serverId}${separator}${toolName}`;
  const splitsBack = `${serverId}${separator}`.indexOf(separator) === serverId.length;
  if (splitsBack && /^[A-Za-z0-9]/.test(serverId) && TOOL_NAME_PATTERN.test(plain) && !META_TOOL_NAMES.includes(plain)) return plain;
  const hash = createHash('sha256').update(JSON.stringify([serverId, toolName, separator])).digest('hex').slice(0, HASH_LENGTH);
  const room = MAX_TOOL_NAME_LENGTH - HASH_LENGTH - 2;
  const readable = plain.replace(INVALID_CHARS, '_').slice(0, room);
  return `_${readable}-${hash}`;
}

interface CompiledFilter { include: Matcher[][]; exclude: Matcher[] }
const filters = new WeakMap<Profile, CompiledFilter>();

function compiledFilter(profile: Profile): CompiledFilter {
  let compiled = filters.get(profile);
  if (!compiled) {
    const includes = [profile.include, ...((profile as LayeredProfile).layers ?? []).map((layer) => layer.include)];
    compiled = {
      include: includes.filter((globs) => globs !== undefined).map((globs) => globs.map((glob) => compileGlob(glob))),
      exclude: (profile.exclude ?? []).map((glob) => compileGlob(glob)),
    };
    filters.set(profile, compiled);
  }
  return compiled;
}

/** Whether the profile's include/exclude globs (over "<server id>/<tool name>", and those of its layers) keep this tool. */
export function isInProfile(profile: Profile, serverId: string, toolName: string): boolean {
  const { include, exclude } = compiledFilter(profile);
  const key = toolKey(serverId, toolName);
  if (!include.every((layer) => layer.some((match) => match(key)))) return false;
  return !exclude.some((match) => match(key));
}

interface Candidate {
  readonly serverId: string;
  readonly toolName: string;
  readonly key: string;
  readonly exposedName: string;
  readonly tool: Tool;
  /** Set in the profile's `tools`, or undefined when the profile's default applies. */
  readonly listed: 'visible' | 'deferred' | undefined;
  /** Position in `tools` (listed tools keep the author's order). */
  readonly listedAt: number;
  readonly uses: number;
}

/**
 * The profile's surface over the tools of its servers (the caller passes the tools of the servers
 * the profile resolves to). Visible, in this order until `maxVisible` is reached: tools `tools`
 * lists and does not defer, then the `mostUsed` most used, then the other visible ones by name; the rest
 * are deferred. Throws ProfileNameCollisionError when two tools would get the same name.
 */
export function buildToolSurface(profile: Profile, tools: readonly UpstreamTool[], options: { usage?: ReadonlyMap<string, number> } = {}): ToolSurface {
  const separator = profile.separator ?? '__';
  const settings = profile.tools ?? {};
  const order = new Map(Object.keys(settings).map((key, index) => [key, index]));
  const excluded: { serverId: string; toolName: string }[] = [];
  const candidates: Candidate[] = [];
  const seen = new Map<string, string>();
  for (const name of META_TOOL_NAMES) seen.set(name, `the meta-tool ${name}`);
  for (const { serverId, tool } of tools) {
    if (!isInProfile(profile, serverId, tool.name)) {
      excluded.push({ serverId, toolName: tool.name });
      continue;
    }
    const key = toolKey(serverId, tool.name);
    const setting = settings[key];
    const exposedName = setting?.name ?? namespacedName(serverId, tool.name, separator);
    const holder = seen.get(exposedName);
    if (holder !== undefined) throw new ProfileNameCollisionError(exposedName, [holder, key]);
    seen.set(exposedName, key);
    candidates.push({
      serverId,
      toolName: tool.name,
      key,
      exposedName,
      tool: { ...tool, name: exposedName, ...(setting?.description !== undefined ? { description: setting.description } : {}) },
      listed: setting?.visibility,
      listedAt: order.get(key) ?? Number.MAX_SAFE_INTEGER,
      uses: options.usage?.get(key) ?? 0,
    });
  }

  const mostUsed = new Set(profile.mostUsed
    ? candidates.filter((c) => c.uses > 0 && c.listed !== 'deferred').sort(byUsesThenName).slice(0, profile.mostUsed).map((c) => c.key)
    : []);
  const byDefault = (c: Candidate) => c.listed === undefined && (profile.visibility ?? 'visible') === 'visible';
  const wantsVisible = (c: Candidate) => c.listed === 'visible' || mostUsed.has(c.key) || byDefault(c);
  // A tool the profile lists in `tools` and does not defer comes first, in the author's order.
  const listedVisible = (c: Candidate) => c.listed === 'visible' || (byDefault(c) && c.listedAt !== Number.MAX_SAFE_INTEGER);
  const rank = (c: Candidate) => (listedVisible(c) ? 0 : mostUsed.has(c.key) ? 1 : 2);
  const wanted = candidates.filter(wantsVisible).sort((a, b) => rank(a) - rank(b)
    || (rank(a) === 0 ? a.listedAt - b.listedAt : 0)
    || (rank(a) === 1 ? b.uses - a.uses : 0)
    || compareNames(a.exposedName, b.exposedName));
  const cap = profile.maxVisible ?? Number.POSITIVE_INFINITY;
  const visible = wanted.slice(0, cap);
  const visibleKeys = new Set(visible.map((c) => c.key));
  const deferred = candidates.filter((c) => !visibleKeys.has(c.key)).sort((a, b) => compareNames(a.exposedName, b.exposedName));

  const surfaceTools: SurfaceTool[] = [
    ...visible.map((c) => surfaceTool(c, 'visible')),
    ...deferred.map((c) => surfaceTool(c, 'deferred')),
  ];
  return { tools: surfaceTools, byExposedName: new Map(surfaceTools.map((t) => [t.exposedName, t])), excluded };
}

/** Exactly what a client of the surface gets in tools/list: the visible tools, and the meta-tools when any tool is deferred. */
export function listedTools(surface: ToolSurface): Tool[] {
  const visible = surface.tools.filter((t) => t.visibility === 'visible').map((t) => t.tool);
  return surface.tools.some((t) => t.visibility === 'deferred') ? [...visible, ...META_TOOLS] : visible;
}

function surfaceTool(c: Candidate, visibility: 'visible' | 'deferred'): SurfaceTool {
  return { exposedName: c.exposedName, serverId: c.serverId, toolName: c.toolName, visibility, tool: c.tool };
}

function byUsesThenName(a: Candidate, b: Candidate): number {
  return b.uses - a.uses || compareNames(a.exposedName, b.exposedName);
}

/** Code-unit order: the same on every machine and locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
