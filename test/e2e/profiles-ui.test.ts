// The Profiles page end to end: a real `switchboard serve` with server-everything and
// server-memory serving the built UI, driven in Debian's Chromium. A user creates a profile, caps
// its visible tools, picks tools by search, leaves one out, watches the counts and the tools/list
// preview follow, saves, and sees the token bound to it. Screenshots land in
// test-results/screenshots-profiles/.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profilesContract } from '../../shared/api/profiles.ts';
import { tokensContract } from '../../shared/api/tokens.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { serverEntry } from '../support/policy-fixture.ts';
import { RENDERER, ensureRendererBuilt } from '../support/renderer-build.ts';
import { until } from '../support/until.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots-profiles');

let daemon: TestDaemon;
let browser: TestBrowser;
let page: Page;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const counts = () => page.getByRole('status', { name: 'Tool counts' });
const listed = () => page.getByRole('list', { name: 'tools/list preview' });

beforeAll(async () => {
  ensureRendererBuilt();
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  daemon = await startTestDaemon({
    args: ['--static-root', RENDERER],
    servers: (dataDir) => [
      { id: 'everything', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-everything'), 'stdio'] },
      { id: 'memory', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-memory')], env: { MEMORY_FILE_PATH: join(dataDir, 'memory.jsonl') } },
    ],
  });
  await until(async () => (await daemon.api['servers.list']({})).servers.every((s) => s.status.state === 'ready'), { what: 'both servers ready', timeoutMs: 60_000 });
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(`${daemon.baseUrl}/#token=${encodeURIComponent(daemon.apiToken)}`);
  await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
});

describe('Profiles page', () => {
  it('lists the built-in default profile with every server', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Profiles/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Profiles' }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'default' }) });
    await expect(row.textContent()).resolves.toContain('everything, memory');
  }, 60_000);

  it('creates a profile, caps it, picks tools by search, and previews exactly tools/list', async () => {
    await page.getByLabel('New profile name').fill('work');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.getByRole('heading', { name: 'Profile work' }).waitFor();
    await until(async () => (await counts().textContent()) ?? '', { done: (t) => /\d+ visible/.test(t), what: 'the counts of the new profile' });
    expect(await listed().getByText('find_tools').count()).toBe(0);

    await page.getByLabel('Visible at most').fill('3');
    await until(async () => (await counts().textContent()) ?? '', { done: (t) => t.startsWith('3 visible of 3 allowed'), what: 'the cap in the counts' });
    await listed().getByText('find_tools').waitFor();
    expect(await listed().getByRole('listitem').allTextContents()).toEqual(['everything__echo', 'everything__get-annotated-message', 'everything__get-env', 'find_tools', 'load_tools', 'call_tool']);

    await page.getByLabel('Search tools').fill('sum');
    await expect(page.getByLabel(/^include /).count()).resolves.toBe(1);
    await page.getByLabel('visibility of everything/get-sum').selectOption('visible');
    await listed().getByText('everything__get-sum').waitFor();
    expect((await listed().getByRole('listitem').allTextContents())[0]).toBe('everything__get-sum');

    await page.getByLabel('Search tools').fill('delete');
    await page.getByLabel('include memory/delete_entities').uncheck();
    await until(async () => (await counts().textContent()) ?? '', { done: (t) => t.endsWith('1 left out'), what: 'a tool left out' });
    await shot('01-profile-editor');

    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved profile work' }).waitFor();
    const saved = await daemon.apiFor(profilesContract)['profiles.show']({ name: 'work' });
    expect(saved.configured).toMatchObject({ maxVisible: 3, exclude: ['memory/delete_entities'], tools: { 'everything/get-sum': { visibility: 'visible' } } });
  }, 90_000);

  it('shows which tokens use each profile', async () => {
    await daemon.apiFor(tokensContract)['tokens.create']({ name: 'cursor-work', profile: 'work' });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Profiles' }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'work', exact: true }) });
    await until(async () => (await row.textContent()) ?? '', { done: (t) => t.includes('token cursor-work'), what: 'the token in the work row' });
    await shot('02-profiles-used-by');
  }, 60_000);
});
