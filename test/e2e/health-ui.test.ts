// The Health page end to end: a real `switchboard serve` serving the built UI, a stdio server that
// fails every 5th call, real calls through Streamable HTTP, and Debian's Chromium reading the page
// as a user would: per-tool calls, success rate, percentiles and error types, the SLO burning its
// budget with its alert, and the server's state history. Screenshots in test-results/screenshots-health/.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { RENDERER, ensureRendererBuilt } from '../support/renderer-build.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots-health');
const RECORDING_SERVER = join(REPO_ROOT, 'test/support/recording-server.ts');

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
});
