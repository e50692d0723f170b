// The Health page end to end: a real `switchboard serve` serving the built UI, a stdio server that
// fails every 5th call, real calls through Streamable HTTP, and Debian's Chromium reading the page
// as a user would: per-tool calls, success rate, percentiles and error types, the SLO burning its
// budget with its alert, the server's state history, and the refused logins at the HTTP endpoint.
// Screenshots in test-results/screenshots-health/.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { RENDERER, ensureRendererBuilt } from '../support/renderer-build.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots-health');
const RECORDING_SERVER = join(REPO_ROOT, 'test/support/recording-server.ts');
const WRONG_TOKEN = 'sbt_ThisIsNotAValidTokenAtAll000000000000000';

let daemon: TestDaemon;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  ensureRendererBuilt();
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  daemon = await startTestDaemon({
    args: ['--static-root', RENDERER],
    servers: [{ id: 'flaky', transport: 'stdio', command: process.execPath, args: [RECORDING_SERVER], env: { FAIL_FIRST_CALLS: '100' } }],
    settings: { userPolicy: { slo: { objectives: [{ server: 'flaky', success: 0.99, latencyP95Ms: 5000 }], evaluateEveryMs: 200 } } },
  });
  const client = await daemon.httpClient('flaky', undefined, 'health-e2e');
  for (let i = 0; i < 10; i++) await client.callTool({ name: 'work', arguments: {} });
  for (let i = 0; i < 3; i++) await client.callTool({ name: 'echo', arguments: { text: `t${i}` } });
  // Two refused logins: no token, and a token nobody issued.
  for (const headers of [{}, { authorization: `Bearer ${WRONG_TOKEN}` }]) {
    const refused = await fetch(`${daemon.baseUrl}/mcp/flaky`, { headers: { 'user-agent': 'probe-client/2.0', ...headers } });
    expect(refused.status).toBe(401);
  }
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(`${daemon.baseUrl}/#token=${encodeURIComponent(daemon.apiToken)}`);
  await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
});

describe('Health page', () => {
  it('shows per-tool success, percentiles and errors, and the SLO burning its budget', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Health/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Health' }).waitFor();
    const tools = page.getByRole('table', { name: 'Tools of flaky' });
    const work = tools.getByRole('row').filter({ hasText: 'work' });
    await work.waitFor();
    const cells = await work.getByRole('cell').allTextContents();
    expect(cells[0]).toBe('work');
    expect(cells[1]).toBe('10');
    expect(cells[2]).toBe('80.00%');
    expect(cells[3]).toMatch(/ms$/);
    expect(cells[6]).toBe('tool_error 2');
    const echo = await tools.getByRole('row').filter({ hasText: 'echo' }).getByRole('cell').allTextContents();
    expect(echo.slice(1, 3)).toEqual(['3', '100%']);

    // 2 of the server's 13 calls failed against a 99% objective: 15.4× burn in both windows, over the 14.4× threshold.
    const slos = page.getByRole('table', { name: 'SLOs of flaky' });
    const success = slos.getByRole('row').filter({ hasText: 'success ≥ 99.00%' });
    await success.getByText('burning').waitFor({ timeout: 15_000 });
    expect(await success.getByText('burning').getAttribute('class')).toContain('badge-bad');
    expect(await success.getByRole('cell').nth(3).textContent()).toBe('15.4× / 15.4×');
    expect(await slos.getByRole('row').filter({ hasText: 'p95 < 5000 ms' }).getByText('ok').count()).toBe(1);
    await page.getByRole('heading', { name: 'SLO alerts' }).waitFor();
    await page.getByText(/SLO alert: server 'flaky' is burning its success 99\.00% error budget/).first().waitFor();
    await page.getByText(/13 calls · success 84\.62% · restarts 0/).waitFor();
    await page.screenshot({ path: join(SHOTS, '01-health.png'), fullPage: true });
  }, 60_000);

  it('shows the refused logins at the HTTP endpoint, here and in Settings with client, reason and endpoint, never the token', async () => {
    await page.getByText('Refused logins at the HTTP endpoint: 2 since the daemon started, 2 in the last hour.').waitFor({ timeout: 15_000 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Settings/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const refused = page.getByRole('definition').filter({ hasText: 'since start' });
    await refused.waitFor({ timeout: 15_000 });
    const text = (await refused.textContent())!;
    expect(text).toContain('2 since start · 2 in the last minute · 2 in the last hour');
    expect(text).toContain('401 invalid token · /mcp/flaky · user-agent "probe-client/2.0"');
    expect(text).toContain('401 missing token · /mcp/flaky');
    expect(await page.content()).not.toContain(WRONG_TOKEN);
    await page.screenshot({ path: join(SHOTS, '02-refused-logins.png'), fullPage: true });
  }, 60_000);
});
