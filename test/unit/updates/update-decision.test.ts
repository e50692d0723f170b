// Self-update decisions from settings and a real managed policy file (loaded and merged by the
// real policy engine), driving a stand-in for electron-updater's autoUpdater (it needs Electron).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../shared/config.ts';
import { PolicyDocumentSchema, type PolicyDocumentInput } from '../../../shared/policy.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';
import { loadManagedPolicy } from '../../../main/policy/managed-source.ts';
import { UpdateController, type UpdaterPort } from '../../../main/updates/update-controller.ts';
import { decideUpdates, type UpdateInputs } from '../../../main/updates/update-decision.ts';
import { UpdateService } from '../../../main/updates/update-service.ts';

class FakeUpdater implements UpdaterPort {
  autoDownload = true;
  autoInstallOnAppQuit = false;
  allowDowngrade = false;
  allowPrerelease = false;
  channel: string | null = null;
  feeds: Array<{ provider: 'generic'; url: string; channel?: string }> = [];
  checks = 0;
  downloads = 0;
  installs = 0;
  offered: string | null;
  private readonly current: string;
  constructor(offered: string | null, current: string) {
    this.offered = offered;
    this.current = current;
  }
  setFeedURL(options: { provider: 'generic'; url: string; channel?: string }): void {
    this.feeds.push(options);
  }
  async checkForUpdates() {
    this.checks++;
    if (this.offered === null) throw new Error('feed unreachable');
    const newer = this.offered.localeCompare(this.current, undefined, { numeric: true }) > 0;
    return { isUpdateAvailable: newer || (this.allowDowngrade && this.offered !== this.current), updateInfo: { version: this.offered } };
  }
  async downloadUpdate() {
    this.downloads++;
    return [];
  }
  quitAndInstall(): void {
    this.installs++;
  }
}

const FEED = 'https://updates.example.com/switchboard';
const IT_FEED = 'https://it.example.com/switchboard-feed';
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The effective `updates` setting of a managed policy file, as the daemon computes it. */
async function managedUpdates(policy: PolicyDocumentInput): Promise<UpdateInputs['policy']> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-updates-'));
  dirs.push(dir);
  const file = join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  const managed = await loadManagedPolicy(file);
  expect(managed.state).toBe('active');
  const setting = new PolicyEngine({ managed }).setting('updates')!;
  return { value: setting.value, source: setting.source, locked: setting.locked };
}

async function run(inputs: Omit<UpdateInputs, 'currentVersion'>, offered: string | null, current = '1.0.0') {
  const updater = new FakeUpdater(offered, current);
  const controller = new UpdateController({ currentVersion: current, updater });
  controller.apply(decideUpdates({ currentVersion: current, ...inputs }));
  const status = await controller.check();
  return { updater, status, controller };
}

describe('updates: feed', () => {
  it('is off with no feed: the updater is never configured nor asked', async () => {
    const { updater, status } = await run({ user: { channel: 'latest' } }, '2.0.0');
    expect(status).toMatchObject({ state: 'disabled', reason: expect.stringContaining('no update feed') });
    expect(updater.feeds).toEqual([]);
    expect(updater.checks).toBe(0);
    expect(updater.downloads).toBe(0);
  });

  it('with the user\'s feed, checks it and downloads a newer version only after seeing it (autoDownload off)', async () => {
    const { updater, status, controller } = await run({ user: { feedUrl: FEED, channel: 'latest' } }, '1.1.0');
    expect(updater.feeds).toEqual([{ provider: 'generic', url: FEED, channel: 'latest' }]);
    expect(updater.autoDownload).toBe(false);
    expect(updater.allowPrerelease).toBe(false);
    expect(status).toMatchObject({ state: 'downloaded', availableVersion: '1.1.0', feedUrl: FEED, source: 'user' });
    controller.install();
    expect(updater.installs).toBe(1);
  });

  it('reports up to date, and a failed check as an error with its message', async () => {
    expect((await run({ user: { feedUrl: FEED } }, '1.0.0')).status.state).toBe('up-to-date');
    expect((await run({ user: { feedUrl: FEED } }, null)).status).toMatchObject({ state: 'error', error: 'feed unreachable' });
  });

  it('a beta channel lets the updater take prereleases', async () => {
    const { updater } = await run({ user: { feedUrl: FEED, channel: 'beta' } }, '1.1.0-beta.1');
    expect(updater.allowPrerelease).toBe(true);
    expect(updater.channel).toBe('beta');
  });

  it('refuses a feed that is not https, saying so', () => {
    const result = ConfigSchema.safeParse({ settings: { updates: { feedUrl: 'http://updates.example.com/' } } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe('the update feed must be an https:// URL');
  });
});

describe('updates: managed policy', () => {
  it('obeys a managed pin: a newer version on the feed is neither downloaded nor installed', async () => {
    const policy = await managedUpdates({ version: 1, updates: { pin: '1.5.0' } });
    const { updater, status, controller } = await run({ user: { feedUrl: FEED }, policy }, '2.0.0');
    expect(updater.checks).toBe(1);
    expect(updater.downloads).toBe(0);
    expect(status).toMatchObject({ state: 'not-allowed', availableVersion: '2.0.0', pin: '1.5.0', reason: 'the feed offers 2.0.0, but policy pins 1.5.0' });
    expect(() => controller.install()).toThrow(/no downloaded update/);
    expect(updater.installs).toBe(0);
  });

  it('installs the pinned version when the feed offers it, also below the running one (a downgrade)', async () => {
    const up = await run({ user: { feedUrl: FEED }, policy: await managedUpdates({ version: 1, updates: { pin: '1.5.0' } }) }, '1.5.0');
    expect(up.status).toMatchObject({ state: 'downloaded', availableVersion: '1.5.0' });
    expect(up.updater.allowDowngrade).toBe(false);
    const down = await run({ user: { feedUrl: FEED }, policy: await managedUpdates({ version: 1, updates: { pin: '0.9.0' } }) }, '0.9.0');
    expect(down.updater.allowDowngrade).toBe(true);
    expect(down.status).toMatchObject({ state: 'downloaded', availableVersion: '0.9.0' });
  });

  it('a pin equal to the running version stops checks altogether', async () => {
    const { updater, status } = await run({ user: { feedUrl: FEED }, policy: await managedUpdates({ version: 1, updates: { pin: '1.0.0' } }) }, '2.0.0');
    expect(status).toMatchObject({ state: 'disabled', pin: '1.0.0', source: 'managed' });
    expect(updater.checks).toBe(0);
  });

  it('enabled: false turns updates off whatever the user set', async () => {
    const { updater, status } = await run({ user: { feedUrl: FEED }, policy: await managedUpdates({ version: 1, updates: { enabled: false } }) }, '2.0.0');
    expect(status).toMatchObject({ state: 'disabled', reason: 'updates are turned off by managed policy', source: 'managed' });
    expect(updater.checks).toBe(0);
  });

  it('the policy\'s feed and channel win over the user\'s', async () => {
    const { updater, status } = await run({ user: { feedUrl: FEED, channel: 'beta' }, policy: await managedUpdates({ version: 1, updates: { feedUrl: IT_FEED, channel: 'latest' } }) }, '1.2.0');
    expect(updater.feeds).toEqual([{ provider: 'generic', url: IT_FEED, channel: 'latest' }]);
    expect(status).toMatchObject({ state: 'downloaded', source: 'managed' });
  });

  it('locked without a feed: the user\'s feed is ignored, so no checks', async () => {
    const policy = await managedUpdates({ version: 1, locks: ['updates'] });
    expect(policy).toMatchObject({ locked: true });
    const { updater, status } = await run({ user: { feedUrl: FEED }, policy }, '2.0.0');
    expect(status.reason).toBe('updates are locked by a policy that names no update feed');
    expect(updater.checks).toBe(0);
  });

  it('validates the policy section with clear errors', () => {
    const result = PolicyDocumentSchema.safeParse({ version: 1, updates: { pin: '1.x', feedUrl: 'ftp://x/', extra: 1 } });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      'updates.pin: not an exact version (e.g. "1.4.2")',
      'updates.feedUrl: the update feed must be an https:// URL',
    ]));
  });
});

describe('UpdateService', () => {
  it('decides again when settings or policy change, checks once per change, and serves the state', async () => {
    const updater = new FakeUpdater('1.1.0', '1.0.0');
    let inputs: Omit<UpdateInputs, 'currentVersion'> = {};
    const service = new UpdateService({ currentVersion: '1.0.0', updater, inputs: () => inputs });
    service.start();
    const handlers = service.handlers();
    expect(await handlers['updates.status']({}, { kind: 'ipc' })).toMatchObject({ state: 'disabled', currentVersion: '1.0.0' });
    inputs = { user: { feedUrl: FEED } };
    service.refresh();
    service.refresh();
    await expect.poll(() => service.controller.status().state).toBe('downloaded');
    expect(updater.checks).toBe(1);
    inputs = { user: { feedUrl: FEED }, policy: await managedUpdates({ version: 1, updates: { enabled: false } }) };
    service.refresh();
    expect(await handlers['updates.check']({}, { kind: 'ipc' })).toMatchObject({ state: 'disabled' });
    expect(updater.checks).toBe(1);
    await expect(handlers['updates.install']({}, { kind: 'ipc' })).rejects.toThrow(/no downloaded update/);
    service.stop();
  });

  it('the headless daemon reports that it does not update itself', async () => {
    const service = new UpdateService({ currentVersion: '1.0.0', inputs: () => ({ user: { feedUrl: FEED } }) });
    service.start();
    expect(await service.handlers()['updates.check']({}, { kind: 'http' })).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('headless') });
    service.stop();
  });
});
