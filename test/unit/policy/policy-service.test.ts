// PolicyService: the engine follows the user rules in the settings even when nobody calls
// userPolicyChanged() (the daemon reads config.json after the policy started).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserPolicySchema, type UserPolicy } from '../../../shared/policy.ts';
import { PolicyService } from '../../../main/policy/policy-service.ts';

describe('PolicyService user rules', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'policy-service-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('settings that appear or change after start() apply at the next engine() without userPolicyChanged()', async () => {
    const settings: { userPolicy?: UserPolicy } = {};
    const service = new PolicyService({ managedPath: path.join(dir, 'none.json'), dataDir: dir, userPolicy: () => settings.userPolicy, managedPollMs: 0 });
    await service.start();
    let rebuilt = 0;
    service.events.on('changed', () => rebuilt++);
    expect(service.engine().evaluate({ serverId: 'fs', name: 'write', arguments: {} })).toMatchObject({ action: 'allow', source: 'default' });

    settings.userPolicy = UserPolicySchema.parse({ tools: [{ id: 'no-writes', match: 'fs/write', action: 'deny' }] });
    expect(service.engine().evaluate({ serverId: 'fs', name: 'write', arguments: {} })).toMatchObject({ action: 'deny', label: 'user: no-writes' });
    // the same settings object: no rebuild per call
    const engine = service.engine();
    expect(service.engine()).toBe(engine);
    expect(rebuilt).toBe(1);
    service.stop();
  });
});
