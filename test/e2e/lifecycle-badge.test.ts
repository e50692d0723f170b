// Lifecycle badges on the Servers page, end to end: a real `switchboard serve` whose managed
// policy deprecates one real server and decommissions another, the built web UI in Debian's
// Chromium. Screenshots land in test-results/screenshots-lifecycle/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { ECHO_SERVER_PATH } from '../support/audit-fixture.ts';
import { EVERYTHING_SERVER, REPO_ROOT, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { RENDERER, ensureRendererBuilt } from '../support/renderer-build.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots-lifecycle');

let daemon: TestDaemon;
let browser: TestBrowser;
let page: Page;
let home: string;

const row = (id: string) => page.getByRole('list', { name: 'Servers' }).getByRole('listitem').filter({ has: page.locator('.server-name', { hasText: new RegExp(`^${id}$`) }) });

beforeAll(async () => {
  ensureRendererBuilt();
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'switchboard-e2e-lifecycle-'));
  const policyFile = join(home, 'managed-policy.json');
  writeFileSync(policyFile, JSON.stringify({
    version: 1,
    lifecycle: [
      { id: 'echo-deprecated', match: { command: process.execPath, args: [ECHO_SERVER_PATH] }, state: 'deprecated', message: 'moves to the shared gateway in Q3', owner: 'tools-team' },
      { id: 'everything-retired', match: { command: process.execPath, args: [EVERYTHING_SERVER, '...'] }, state: 'decommissioned', replacement: 'everything-v2' },
    ],
  }));
  daemon = await startTestDaemon({
    args: ['--static-root', RENDERER],
    env: { HOME: home, SWITCHBOARD_MANAGED_POLICY: policyFile },
    servers: [
      { id: 'echo', transport: 'stdio', command: process.execPath, args: [ECHO_SERVER_PATH] },
      { id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
    ],
  });
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(`${daemon.baseUrl}/#token=${encodeURIComponent(daemon.apiToken)}`);
  await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('lifecycle on the Servers page', () => {
  it('badges a deprecated and a decommissioned server, with the message, and shows it in the details', async () => {
    const deprecated = row('echo').locator('.lifecycle');
    await deprecated.waitFor({ timeout: 30_000 });
    expect(await deprecated.textContent()).toBe('deprecated');
    expect(await deprecated.getAttribute('title')).toBe('deprecated (managed: echo-deprecated) · moves to the shared gateway in Q3 · owner tools-team · to move: ask its owner, tools-team');
    const retired = row('everything').locator('.lifecycle');
    expect(await retired.textContent()).toBe('decommissioned');
    expect(await retired.locator('.badge').getAttribute('class')).toContain('badge-bad');
    expect(await retired.getAttribute('title')).toContain('calls are refused · replacement everything-v2 · to move: use "everything-v2" instead');
    await row('everything').locator('button.disclosure').click();
    await row('everything').getByText('decommissioned (managed: everything-retired) · calls are refused').waitFor();
    await page.screenshot({ path: join(SHOTS, '01-lifecycle-badges.png'), fullPage: true });
  });
});
