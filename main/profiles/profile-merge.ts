// How a profile that policy ships is narrowed by a profile of the same name from a weaker source
// (the org document under the managed file, the user's config under either). A narrower may take
// away, never add:
// - servers: its list applies on top of the shipped one (a server must be in both);
// - tools: its include applies on top of the shipped include; its excludes are added;
// - per tool: it may rename, and defer; it may not make visible a tool the shipped profile defers,
//   nor replace a description the shipped profile sets;
// - the cap: the smaller one holds; `mostUsed` may only be lowered; a shipped `deferred` default
//   stays deferred.
// What would widen is left out, and each such part is named in `ignored` (the API refuses to save
// a profile that has any; a config edited by hand just does not get them).
import { DEFAULT_NAMESPACE_SEPARATOR, type Profile, type ProfileTool } from '../../shared/profiles.ts';
import type { LayeredProfile, ProfileLayer } from './tool-surface.ts';

export interface NarrowedProfile {
  readonly profile: LayeredProfile;
  /** The parts of the narrower that would widen the shipped profile, each with why it does not apply. */
  readonly ignored: readonly string[];
}

export function narrowProfile(shipped: LayeredProfile, narrower: Profile, source: ProfileLayer['source']): NarrowedProfile {
  const ignored: string[] = [];
  const shippedDefers = (key: string): boolean => {
    const listed = shipped.tools?.[key]?.visibility;
    return listed === 'deferred' || (listed === undefined && shipped.visibility === 'deferred');
  };

  const tools: Record<string, ProfileTool> = { ...shipped.tools };
  for (const [key, setting] of Object.entries(narrower.tools ?? {})) {
    const base = shipped.tools?.[key] ?? {};
    const merged: { -readonly [K in keyof ProfileTool]: ProfileTool[K] } = { ...base };
    if (setting.name !== undefined) merged.name = setting.name;
    if (setting.description !== undefined) {
      if (base.description !== undefined && base.description !== setting.description) ignored.push(`tools["${key}"].description: the shipped profile sets this tool's description`);
      else merged.description = setting.description;
    }
    if (setting.visibility === 'deferred') merged.visibility = 'deferred';
    else if (setting.visibility === 'visible') {
      if (shippedDefers(key)) ignored.push(`tools["${key}"].visibility: the shipped profile defers this tool`);
      else merged.visibility = 'visible';
    }
    tools[key] = merged;
  }

  let maxVisible = shipped.maxVisible;
  if (narrower.maxVisible !== undefined) {
    if (maxVisible !== undefined && narrower.maxVisible > maxVisible) ignored.push(`maxVisible ${narrower.maxVisible}: the shipped profile shows at most ${maxVisible}`);
    else maxVisible = narrower.maxVisible;
  }
  let mostUsed = shipped.mostUsed;
  if (narrower.mostUsed !== undefined) {
    if (mostUsed === undefined || narrower.mostUsed > mostUsed) ignored.push(`mostUsed ${narrower.mostUsed}: the shipped profile ${mostUsed === undefined ? 'does not show the most used tools' : `shows at most the ${mostUsed} most used`}`);
    else mostUsed = narrower.mostUsed;
  }
  // A narrower's "visible" default cannot be told from the schema's default, so it is not reported.
  const visibility = shipped.visibility === 'deferred' ? 'deferred' : narrower.visibility;

  const layer: ProfileLayer = { source, servers: narrower.servers, ...(narrower.include ? { include: narrower.include } : {}) };
  const exclude = [...(shipped.exclude ?? []), ...(narrower.exclude ?? [])];
  const profile: LayeredProfile = {
    name: shipped.name,
    ...(narrower.description ?? shipped.description ? { description: narrower.description ?? shipped.description } : {}),
    servers: shipped.servers,
    ...(shipped.include ? { include: shipped.include } : {}),
    ...(exclude.length > 0 ? { exclude } : {}),
    ...(Object.keys(tools).length > 0 ? { tools } : {}),
    visibility,
    ...(maxVisible !== undefined ? { maxVisible } : {}),
    ...(mostUsed !== undefined ? { mostUsed } : {}),
    // The schema fills in the default separator, so only another one counts as the narrower's choice.
    separator: narrower.separator !== DEFAULT_NAMESPACE_SEPARATOR ? narrower.separator : shipped.separator,
    layers: [...(shipped.layers ?? []), layer],
  };
  return { profile, ignored };
}
