// PolicyService: engine() is a read; the engine follows the user rules in the settings when the
// configuration change event says so, and is rebuilt once per real change.
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

  it('engine() is a read; userPolicyChanged() rebuilds once, and only when the user rules differ', async () => {
    const settings: { userPolicy?: UserPolicy } = {};
    const service = new PolicyService({ managedPath: path.join(dir, 'none.json'), dataDir: dir, userPolicy: () => settings.userPolicy, managedPollMs: 0 });
    await service.start();
    let rebuilt = 0;
    service.events.on('changed', () => rebuilt++);
    expect(service.engine().evaluate({ serverId: 'fs', name: 'write', arguments: {} })).toMatchObject({ action: 'allow', source: 'default' });

    settings.userPolicy = UserPolicySchema.parse({ tools: [{ id: 'no-writes', match: 'fs/write', action: 'deny' }] });
    // A read changes nothing: the new rules apply when the change is announced.
    const before = service.engine();
    expect(service.engine()).toBe(before);
    expect(rebuilt).toBe(0);
    service.userPolicyChanged();
    expect(service.engine().evaluate({ serverId: 'fs', name: 'write', arguments: {} })).toMatchObject({ action: 'deny', label: 'user: no-writes' });
    expect(rebuilt).toBe(1);
    // An equal document (another object, e.g. the config re-read) is no change.
    settings.userPolicy = UserPolicySchema.parse({ tools: [{ id: 'no-writes', match: 'fs/write', action: 'deny' }] });
    service.userPolicyChanged();
    expect(rebuilt).toBe(1);
    service.stop();
  });
});
