// Handlers of the tokens contract over the configuration. The token is in force as soon as the
// call returns: the configuration service applies its own writes at once.
import { createHash, randomBytes } from 'node:crypto';
import { ApiError, type Handlers } from '../../shared/api/define.ts';
import type { tokensContract } from '../../shared/api/tokens.ts';
import type { Config } from '../../shared/config.ts';

export interface TokensHandlerDeps {
  readonly config: { readonly config: Config; update(mutate: (config: Config) => Config | void): Promise<Config> };
  readonly now?: () => Date;
  /** Why a token cannot be bound to this profile (it does not exist), or undefined. */
  readonly checkProfile?: (name: string) => string | undefined;
}

export function createTokensHandlers(deps: TokensHandlerDeps): Handlers<typeof tokensContract> {
  return {
    'tokens.list': async () => ({ tokens: deps.config.config.tokens.map((t) => ({ name: t.name, createdAt: t.createdAt, ...(t.servers ? { servers: t.servers } : {}), ...(t.profile ? { profile: t.profile } : {}) })) }),
    'tokens.create': async ({ name, servers, profile }) => {
      if (profile !== undefined) {
        const problem = deps.checkProfile?.(profile);
        if (problem) throw new ApiError({ code: 'not_found', message: problem });
      }
      const scope = profile !== undefined ? { profile } : servers && servers.length > 0 ? { servers: [...new Set(servers)] } : {};
      const token = `sbt_${randomBytes(32).toString('base64url')}`;
      const createdAt = (deps.now?.() ?? new Date()).toISOString();
      await deps.config.update((config) => {
        const existing = config.tokens.find((t) => t.name === name);
        if (existing) {
          throw new ApiError({ code: 'conflict', message: `a token for '${name}' already exists (created ${existing.createdAt}); to replace it, revoke it first with \`switchboard token revoke ${name}\`, or choose another name` });
        }
        config.tokens.push({ name, sha256: createHash('sha256').update(token).digest('hex'), createdAt, ...scope });
      });
      return { name, token, createdAt, ...scope };
    },
    'tokens.revoke': async ({ name }) => {
      let revoked = 0;
      await deps.config.update((config) => {
        const before = config.tokens.length;
        config.tokens = config.tokens.filter((t) => t.name !== name);
        revoked = before - config.tokens.length;
        if (revoked === 0) throw new ApiError({ code: 'not_found', message: `no token for '${name}'; see \`switchboard token list\`` });
      });
      return { revoked };
    },
  };
}
