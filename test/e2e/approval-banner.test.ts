// A pending approval reaches a user of the web UI whatever page they are on: a real
// `switchboard serve` with server-everything behind a managed `ask` rule, a real MCP client
// whose call waits, and Debian's Chromium answering from the banner on the Servers page.
// Screenshots land in test-results/approval-banner/ (emptied first).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { EVERYTHING_SERVER, REPO_ROOT, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { RENDERER, ensureRendererBuilt } from '../support/renderer-build.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'approval-banner');

let daemon: TestDaemon;
let browser: TestBrowser;
let page: Page;
let client: Client;
let home: string;

async function go(route: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${route}`) }).click();
  await page.getByRole('heading', { level: 1, name: route }).waitFor();
}

async function history(): Promise<Array<{ tool: string; answer: string; by: string; arguments: unknown }>> {
  const res = await fetch(`${daemon.baseUrl}/api/approvals.history`, { method: 'POST', headers: { authorization: `Bearer ${daemon.apiToken}`, 'content-type': 'application/json' }, body: '{}' });
  return ((await res.json()) as { result: { history: Array<{ tool: string; answer: string; by: string; arguments: unknown }> } }).result.history;
}

const banner = () => page.getByRole('region', { name: 'Pending approval' });

beforeAll(async () => {
  ensureRendererBuilt();
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'switchboard-banner-home-'));
  const policyFile = join(home, 'managed-policy.json');
  writeFileSync(policyFile, JSON.stringify({ version: 1, tools: [{ id: 'ask before sums', match: 'everything/get-sum', action: 'ask' }] }));
  daemon = await startTestDaemon({
    servers: [{ id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER] }],
    args: ['--static-root', RENDERER],
    env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SWITCHBOARD_MANAGED_POLICY: policyFile },
  });
  client = await daemon.httpClient('everything', undefined, 'banner-e2e');
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(`${daemon.baseUrl}/#token=${encodeURIComponent(daemon.apiToken)}`);
  await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
}, 90_000);

afterAll(async () => {
  await client?.close().catch(() => {});
  await browser?.close();
  await daemon?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the pending-approval banner in the web UI', () => {
  it('shows no banner while nothing is pending', async () => {
    await page.getByRole('list', { name: 'Servers' }).getByText('ready', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await banner().count()).toBe(0);
  });

  it('answers an approval from the banner on the Servers page: "Allow once" lets the waiting call complete', async () => {
    const call = client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }, undefined, { timeout: 60_000 });
    await banner().waitFor({ timeout: 15_000 });
    await expect.poll(() => banner().textContent()).toContain('get-sum');
    const text = (await banner().textContent())!;
    expect(text).toContain('banner-e2e');
    expect(text).toContain('everything');
    expect(text).toContain('ask before sums');
    // The page underneath is still the Servers page, and the banner has every answer, Deny first.
    await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
    const buttons = await banner().getByRole('button').allTextContents();
    expect(buttons[0]).toBe('Deny');
    expect(buttons).toContain('Allow once');
    await page.screenshot({ path: join(SHOTS, 'servers-page-banner.png'), fullPage: true });
    await banner().getByRole('button', { name: 'Allow once' }).click();
    expect(JSON.stringify(await call)).toContain('5');
    await banner().waitFor({ state: 'detached', timeout: 10_000 });
    expect((await history())[0]).toMatchObject({ tool: 'get-sum', answer: 'allow-once', by: 'http', arguments: { a: 2, b: 3 } });
    await page.screenshot({ path: join(SHOTS, 'servers-page-answered.png'), fullPage: true });
  });

  it('shows on another page too, and "Deny" there refuses the call with the rule named', async () => {
    await go('Activity');
    const call = client.callTool({ name: 'get-sum', arguments: { a: 40, b: 3 } }, undefined, { timeout: 60_000 }).then(
      (result) => JSON.stringify(result),
      (error: unknown) => String((error as Error).message),
    );
    await banner().waitFor({ timeout: 15_000 });
    await banner().getByRole('button', { name: 'Deny' }).click();
    const outcome = await call;
    expect(outcome).toContain('ask before sums');
    expect(outcome).not.toContain('43');
    await banner().waitFor({ state: 'detached', timeout: 10_000 });
    expect((await history())[0]).toMatchObject({ answer: 'deny', by: 'http' });
  });

  it('leaves the Approvals page to its cards, with no banner above them', async () => {
    await go('Approvals');
    const call = client.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } }, undefined, { timeout: 60_000 });
    const card = page.locator('article.approval').filter({ hasText: 'get-sum' }).first();
    await card.waitFor({ timeout: 15_000 });
    expect(await banner().count()).toBe(0);
    await card.getByRole('button', { name: 'Allow once' }).click();
    expect(JSON.stringify(await call)).toContain('2');
  });

  it('saved its screenshots under test-results/', () => {
    expect(readdirSync(SHOTS).sort()).toEqual(['servers-page-answered.png', 'servers-page-banner.png']);
  });
});
