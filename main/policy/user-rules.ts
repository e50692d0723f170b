// "Always allow" writes a user rule into settings.userPolicy.tools, at the position the approval
// computed from the rules being written (never in front of the user's own denies). One config
// write: the configuration change event then rebuilds the engine once.
import type { Config } from '../../shared/config.ts';
import type { UserRuleInsertion } from './always-allow.ts';

export interface ConfigWriter {
  update(mutate: (config: Config) => Config | void): Promise<Config>;
}

export function createUserRuleWriter(config: ConfigWriter): (insertion: UserRuleInsertion) => Promise<void> {
  return async (insertion) => {
    await config.update((draft) => {
      const user = draft.settings.userPolicy ?? {};
      const tools = [...(user.tools ?? [])];
      tools.splice(insertion.position(tools), 0, insertion.rule);
      draft.settings.userPolicy = { ...user, tools };
    });
  };
}
