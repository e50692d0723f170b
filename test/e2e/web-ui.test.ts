// The web UI end to end: a real `switchboard serve` with real MCP servers serving the built UI,
// driven in Debian's Chromium. Steps run in order on one daemon and one page, as a user would.
// Screenshots of every page land in test-results/screenshots/ for review.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { EVERYTHING_SERVER, REPO_ROOT, startTestDaemon, type TestDaemon } from '../support/daemon.ts';

const RENDERER = join(REPO_ROOT, 'dist', 'renderer');
const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots');

let daemon: TestDaemon;
let browser: TestBrowser;
let page: Page;
let home: string;
let client: Client | undefined;

function ensureRendererBuilt(): void {
  if (existsSync(join(RENDERER, 'index.html'))) return;
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('vite build failed');
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function go(route: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${route}`) }).click();
  await page.getByRole('heading', { level: 1, name: route }).waitFor();
}

beforeAll(async () => {
  ensureRendererBuilt();
  mkdirSync(SHOTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'switchboard-e2e-home-'));
  // A Cursor user config with one server, for the Clients page to find and link.
  mkdirSync(join(home, '.cursor'), { recursive: true });
  writeFileSync(join(home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING_SERVER] } } }, null, 2));
  // Managed policy: get-sum needs the user's approval.
  const policyFile = join(home, 'managed-policy.json');
  writeFileSync(policyFile, JSON.stringify({ version: 1, tools: [{ id: 'ask before sums', match: 'everything/get-sum', action: 'ask' }] }));
  daemon = await startTestDaemon({
    args: ['--static-root', RENDERER],
    env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SWITCHBOARD_MANAGED_POLICY: policyFile },
  });
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

describe('web UI against the headless daemon', () => {
  it('keeps the API token out of the address bar and shows what to do with no servers', async () => {
    expect(page.url()).not.toContain('token');
    expect(page.url()).toMatch(/#\/servers$/);
    await page.getByText('No servers yet').waitFor();
    await shot('01-servers-empty');
  });

  it('adds a stdio server from the Servers page and shows it ready', async () => {
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const form = page.getByRole('form', { name: 'Add a server' });
    await form.getByLabel('Server id', { exact: true }).fill('everything');
    await form.getByLabel('Command', { exact: true }).fill(process.execPath);
    await form.getByLabel(/Arguments/).fill(EVERYTHING_SERVER);
    await shot('02-servers-add-form');
    await form.getByRole('button', { name: 'Add server' }).click();
    const row = page.getByRole('list', { name: 'Servers' }).getByRole('listitem').filter({ hasText: 'everything' }).first();
    await row.getByText('ready', { exact: true }).waitFor({ timeout: 20_000 });
    const config = JSON.parse(readFileSync(join(daemon.dataDir, 'config.json'), 'utf8')) as { servers: Array<{ id: string; command: string }> };
    expect(config.servers.map((s) => s.id)).toContain('everything');
  });

  it('lists the server\'s tools with their schemas and runs a test call', async () => {
    const tools = page.getByRole('list', { name: 'Tools of everything' });
    await tools.waitFor({ timeout: 20_000 });
    const echo = tools.getByRole('listitem').filter({ has: page.locator('code', { hasText: /^echo$/ }) });
    await echo.locator('summary').click();
    await expect.poll(() => echo.getByLabel('Input schema of echo').textContent()).toContain('message');
    await echo.getByRole('button', { name: 'Try this tool' }).click();
    const tryForm = page.getByRole('form', { name: 'Try a tool call' });
    await tryForm.getByLabel('Arguments (JSON)').fill('{"message": "hello from the UI"}');
    await tryForm.getByRole('button', { name: 'Call' }).click();
    await expect.poll(() => tryForm.getByLabel('Result').textContent(), { timeout: 15_000 }).toContain('hello from the UI');
    await shot('03-servers-tools');
  });

  it('finds Cursor on the Clients page and links its config through the app', async () => {
    await go('Clients');
    const cursor = page.getByRole('region', { name: 'Cursor' });
    const file = join(home, '.cursor', 'mcp.json');
    const row = cursor.getByRole('row').filter({ hasText: file });
    await row.getByRole('button', { name: 'Link' }).click();
    await row.getByText('linked', { exact: true }).waitFor({ timeout: 15_000 });
    await page.getByRole('status').filter({ hasText: 'Linked' }).waitFor();
    const linked = readFileSync(file, 'utf8');
    expect(linked).toContain('bridge');
    await shot('04-clients-linked');
  });

  it('shows a call made by an SDK client in Activity, live', async () => {
    await go('Activity');
    client = await daemon.httpClient('everything', undefined, 'e2e-sdk-client');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'audited call' } });
    expect(JSON.stringify(result)).toContain('audited call');
    const table = page.getByRole('table', { name: 'Audit records' });
    await table.getByRole('row').filter({ hasText: 'echo' }).first().waitFor({ timeout: 15_000 });
    expect(await table.getByRole('row').filter({ hasText: 'echo' }).first().textContent()).toContain('e2e-sdk-client');
    await shot('05-activity');
  });

  it('approves an ask call in the Approvals page while the client waits, and the call completes', async () => {
    await go('Approvals');
    const call = client!.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }, undefined, { timeout: 60_000 });
    const card = page.locator('article.approval').filter({ hasText: 'get-sum' }).first();
    await card.waitFor({ timeout: 15_000 });
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent)).toBe('Deny');
    await shot('06-approvals-pending');
    await card.getByRole('button', { name: 'Allow once' }).click();
    const result = await call;
    expect(JSON.stringify(result)).toContain('5');
    await page.getByRole('table').filter({ hasText: 'allow-once' }).waitFor({ timeout: 10_000 });
  });

  it('denies an ask call and the client gets an error naming the rule', async () => {
    const call = client!.callTool({ name: 'get-sum', arguments: { a: 40, b: 2 } }, undefined, { timeout: 60_000 }).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    const card = page.locator('article.approval').filter({ hasText: 'get-sum' }).first();
    await card.waitFor({ timeout: 15_000 });
    await card.getByRole('button', { name: 'Deny' }).click();
    const outcome = await call;
    const text = outcome.error ? String((outcome.error as Error).message) : JSON.stringify(outcome.result);
    if (outcome.result) expect((outcome.result as { isError?: boolean }).isError).toBe(true);
    expect(text).toMatch(/den/i);
    expect(text).not.toContain('42');
    await shot('07-approvals-history');
  });

  it('shows the effective policy with the rule\'s source, and the settings', async () => {
    await go('Policy');
    await page.getByRole('cell', { name: 'ask before sums' }).waitFor({ timeout: 10_000 });
    await shot('08-policy');
    await go('Settings');
    await page.getByText(daemon.dataDir).first().waitFor();
    await shot('09-settings');
  });

  it('renders in dark mode too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await go('Activity');
    await shot('10-activity-dark');
    await go('Servers');
    await shot('11-servers-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
