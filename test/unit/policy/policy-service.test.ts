// PolicyService: engine() is a read; the engine follows the user rules in the settings when the
// configuration change event says so (rebuilt once per real change), and a changed managed file
// applies when it changes (watched), not at the next poll.
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserPolicySchema, type UserPolicy } from '../../../shared/policy.ts';
import type { PolicyEngine } from '../../../main/policy/engine.ts';
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

describe('PolicyService managed file', () => {
  let dir: string;
  let service: PolicyService | undefined;
  beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'policy-managed-')); });
  afterEach(async () => {
    service?.stop();
    service = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const writeTool = (action: string) => JSON.stringify({ version: 1, tools: [{ id: `rule-${action}`, match: 'fs/write', action }] });
  const decide = (engine: PolicyEngine) => engine.evaluate({ serverId: 'fs', name: 'write', arguments: {} });
  /** The next engine whose decision differs from `before` (no timing: the test's own timeout fails it). */
  const nextChange = (s: PolicyService, before: string) => new Promise<PolicyEngine>((resolve) => {
    const listener = (engine: PolicyEngine) => {
      if (decide(engine).label === before) return;
      s.events.off('changed', listener);
      resolve(engine);
    };
    s.events.on('changed', listener);
  });

  it('applies a change as soon as the file changes, with the poll off: written in place, replaced by rename, created, removed', { timeout: 20_000 }, async () => {
    const file = path.join(dir, 'policy.json');
    await writeFile(file, writeTool('ask'));
    const s = service = new PolicyService({ managedPath: file, dataDir: dir, userPolicy: () => undefined, managedPollMs: 0, managedDebounceMs: 20 });
    expect(decide(await s.start())).toMatchObject({ action: 'ask', label: 'managed: rule-ask' });

    let changed = nextChange(s, 'managed: rule-ask');
    await writeFile(file, writeTool('deny'));
    expect(decide(await changed)).toMatchObject({ action: 'deny', label: 'managed: rule-deny' });

    changed = nextChange(s, 'managed: rule-deny');
    await writeFile(`${file}.tmp`, writeTool('allow'));
    await rename(`${file}.tmp`, file);
    expect(decide(await changed)).toMatchObject({ label: 'managed: rule-allow' });

    // The replaced file is watched too.
    changed = nextChange(s, 'managed: rule-allow');
    await writeFile(file, writeTool('ask'));
    expect(decide(await changed)).toMatchObject({ label: 'managed: rule-ask' });

    changed = nextChange(s, 'managed: rule-ask');
    await unlink(file);
    expect(decide(await changed)).toMatchObject({ action: 'allow', source: 'default' });
    expect(s.engine().effective().sources[0]).toMatchObject({ source: 'managed', state: 'absent' });

    changed = nextChange(s, 'default: no rule matched');
    await writeFile(file, writeTool('deny'));
    expect(decide(await changed)).toMatchObject({ label: 'managed: rule-deny' });
  });

  it('the poll stays as the fallback where watching is not possible (here: turned off; a folder that appears later)', { timeout: 20_000 }, async () => {
    const file = path.join(dir, 'later', 'policy.json');
    const s = service = new PolicyService({ managedPath: file, dataDir: dir, userPolicy: () => undefined, managedPollMs: 20, watchManaged: false });
    expect(decide(await s.start())).toMatchObject({ source: 'default' });
    const changed = nextChange(s, 'default: no rule matched');
    await mkdir(path.dirname(file));
    await writeFile(file, writeTool('deny'));
    expect(decide(await changed)).toMatchObject({ label: 'managed: rule-deny' });
  });
});
