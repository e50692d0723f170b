// Handlers of the profiles API over ProfileService and config.json. A profile is checked before it
// is saved: two tools that would get the same name, or a narrowing that would widen a profile
// policy ships, are refused with what to change.
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { ProfileDetail, ProfileSummary, profilesContract } from '../../shared/api/profiles.ts';
import type { Config } from '../../shared/config.ts';
import { DEFAULT_PROFILE, type Profile } from '../../shared/profiles.ts';
import { ProfileNotFoundError, type EffectiveProfile, type ProfileService } from '../profiles/profile-service.ts';
import { listedTools, ProfileNameCollisionError } from '../profiles/tool-surface.ts';

export interface ProfilesHandlerDeps {
  readonly profiles: ProfileService;
  readonly config: { readonly config: Config; update(mutate: (config: Config) => Config | void): Promise<Config> };
}

export function createProfilesHandlers(deps: ProfilesHandlerDeps): Handlers<typeof profilesContract> {
  const { profiles } = deps;

  const summary = (effective: EffectiveProfile): ProfileSummary => {
    const { servers, missing } = profiles.resolve(effective);
    return {
      name: effective.name,
      ...(effective.profile.description !== undefined ? { description: effective.profile.description } : {}),
      source: effective.source,
      narrowedBy: [...effective.narrowedBy],
      servers: [...servers],
      missing: [...missing],
      usedBy: profiles.usedBy(effective.name),
    };
  };
  const detail = (effective: EffectiveProfile): ProfileDetail => {
    const { layers, ...profile } = effective.profile;
    const configured = deps.config.config.profiles.find((p) => p.name === effective.name);
    return {
      ...summary(effective),
      profile,
      layers: (layers ?? []).map((layer) => ({ source: layer.source, ...(layer.include ? { include: [...layer.include] } : {}), ...(layer.servers ? { servers: layer.servers } : {}) })),
      ignored: [...effective.ignored],
      ...(configured ? { configured } : {}),
    };
  };
  const found = (name: string): EffectiveProfile => {
    try {
      return profiles.get(name);
    } catch (error) {
      if (error instanceof ProfileNotFoundError) throw new ApiError({ code: 'not_found', message: `${error.message}; see \`switchboard profile list\`` });
      throw error;
    }
  };
  /** The checks before a save: no widening of a shipped profile, no two tools under one name. */
  const checked = async (candidate: Profile): Promise<EffectiveProfile> => {
    const effective = profiles.withCandidate(candidate);
    if (effective.ignored.length > 0) {
      throw new ApiError({ code: 'invalid_input', message: `profile "${candidate.name}" is shipped by ${effective.source} policy and can only be narrowed; these parts would widen it: ${effective.ignored.join('; ')}` });
    }
    await surfaceOf(effective);
    return effective;
  };
  const surfaceOf = async (effective: EffectiveProfile) => {
    try {
      return await profiles.surface(effective);
    } catch (error) {
      if (error instanceof ProfileNameCollisionError) throw new ApiError({ code: 'invalid_input', message: `profile "${effective.name}": ${error.message}` });
      throw error;
    }
  };

  return {
    'profiles.list': async () => ({ profiles: profiles.list().map(summary) }),
    'profiles.show': async ({ name }) => detail(found(name)),
    'profiles.create': async ({ profile }) => {
      if (deps.config.config.profiles.some((p) => p.name === profile.name)) {
        throw new ApiError({ code: 'conflict', message: `a profile "${profile.name}" already exists; change it with \`switchboard profile edit ${profile.name}\`` });
      }
      const effective = await checked(profile);
      await deps.config.update((config) => {
        if (config.profiles.some((p) => p.name === profile.name)) throw new ApiError({ code: 'conflict', message: `a profile "${profile.name}" already exists` });
        config.profiles.push(profile);
      });
      return detail(effective);
    },
    'profiles.edit': async ({ name, profile }) => {
      if (profile.name !== name) {
        throw new ApiError({ code: 'invalid_input', message: `the profile's name "${profile.name}" is not "${name}": a profile keeps its name (tokens and linked clients are bound to it); create a new profile instead` });
      }
      found(name);
      const effective = await checked(profile);
      await deps.config.update((config) => {
        const index = config.profiles.findIndex((p) => p.name === name);
        // Editing a shipped (or the built-in default) profile saves the user's narrowing of it.
        if (index === -1) config.profiles.push(profile);
        else config.profiles[index] = profile;
      });
      return detail(effective);
    },
    'profiles.remove': async ({ name }) => {
      const configured = deps.config.config.profiles.some((p) => p.name === name);
      if (!configured) {
        const shipped = profiles.shippedSource(name);
        if (shipped) throw new ApiError({ code: 'conflict', message: `profile "${name}" is shipped by ${shipped} policy and cannot be removed` });
        if (name === DEFAULT_PROFILE) throw new ApiError({ code: 'conflict', message: 'the built-in default profile cannot be removed' });
        found(name);
      }
      // A config entry that narrows a shipped profile (or redefines the default) can go: the profile stays, unnarrowed.
      const stays = profiles.shippedSource(name) !== undefined || name === DEFAULT_PROFILE;
      const users = profiles.usedBy(name);
      if (!stays && (users.tokens.length > 0 || users.clients.length > 0)) {
        const who = [...users.tokens.map((t) => `token '${t}'`), ...users.clients.map((c) => `${c.client} (${c.file})`)];
        throw new ApiError({ code: 'conflict', message: `profile "${name}" is used by ${who.join(', ')}; unlink those clients (\`switchboard client unlink <client>\`) and revoke those tokens (\`switchboard token revoke <name>\`) first` });
      }
      await deps.config.update((config) => {
        config.profiles = config.profiles.filter((p) => p.name !== name);
      });
      return { removed: name };
    },
    'profiles.preview': async ({ name, profile }) => {
      const effective = profile ? profiles.withCandidate(profile) : found(name!);
      const result = await surfaceOf(effective);
      const { surface } = result;
      const visible = surface.tools.filter((t) => t.visibility === 'visible').length;
      return {
        name: effective.name,
        listed: listedTools(surface),
        tools: surface.tools.map((t) => ({
          exposedName: t.exposedName, serverId: t.serverId, toolName: t.toolName, visibility: t.visibility,
          ...(t.tool.description !== undefined ? { description: t.tool.description } : {}),
        })),
        excluded: [...surface.excluded],
        counts: {
          visible,
          deferred: surface.tools.length - visible,
          excluded: surface.excluded.length,
          ...(effective.profile.maxVisible !== undefined ? { maxVisible: effective.profile.maxVisible } : {}),
        },
        servers: [...result.servers],
        missing: [...result.missing],
        toolsFrom: { ...result.toolsFrom },
      };
    },
  };
}
