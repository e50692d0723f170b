// "Always allow" writes one user rule: one config write, one change event, one engine rebuild.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../../main/base/logger.ts';
import { ConfigService } from '../../../main/config/config-service.ts';
import { ConfigStore } from '../../../main/config/config-store.ts';
import { PolicyStack } from '../../../main/policy/policy-stack.ts';
import { createUserRuleWriter } from '../../../main/policy/user-rules.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it('an always-allow rule costs one config change and one engine rebuild, and the new engine has it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-user-rules-'));
  dirs.push(dir);
  const config = new ConfigService(new ConfigStore(dir), silentLogger);
  config.load();
  const addUserRule = createUserRuleWriter(config);
  const policy = new PolicyStack({
    dataDir: dir, managedPath: join(dir, 'no-managed.json'), managedPollMs: 0, watchManaged: false,
    userPolicy: () => config.config.settings.userPolicy, addUserRule, serverConfig: () => undefined,
  });
  await policy.start();
  // As the composition root wires them.
  config.onChange(() => policy.userPolicyChanged());
  let changes = 0;
  let rebuilds = 0;
  config.onChange(() => changes++);
  policy.onChange(() => rebuilds++);
  await addUserRule({ rule: { id: 'always-echo', kind: 'tool', match: 'everything/echo', action: 'allow' }, position: () => 0 });
  expect({ changes, rebuilds }).toEqual({ changes: 1, rebuilds: 1 });
  expect(policy.service.engine().effective().tools.map((t) => t.name)).toContain('always-echo');
  policy.stop();
});
