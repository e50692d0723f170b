// The web UI end to end: a real `switchboard serve` with real MCP servers serving the built UI,
// driven in Debian's Chromium. Steps run in order on one daemon and one page, as a user would.
// The managed policy names a real signed org policy server and an enterprise gateway that
// answers 503, so Settings has real sync and delivery state to show. Screenshots of every page
// land in test-results/screenshots/ for review (emptied first, so a stale one never stands in
// for a step that failed). The last block restarts a daemon under an open page, as a user who
// restarts `switchboard serve --ui` would.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { EVERYTHING_SERVER, REPO_ROOT, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { RENDERER, ensureRendererBuilt } from '../support/renderer-build.ts';
import { OrgServer, generateOrgKey } from '../support/org-server.ts';
import { until } from '../support/until.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots');

let daemon: TestDaemon;
let browser: TestBrowser;
let page: Page;
let home: string;
let client: Client | undefined;
let orgServer: OrgServer;
let gateway: Server;
const shots: string[] = [];
/** Everything the main page logged as an error, and every request it made for /favicon.ico. */
const consoleErrors: string[] = [];
const faviconRequests: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  shots.push(`${name}.png`);
}

/** Where keyboard focus is: the element's text, and whether it is inside the main navigation. */
function focused(): Promise<{ text: string; inNav: boolean }> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { activeElement: { textContent: string | null; closest(selector: string): unknown } | null } }).document;
    const el = doc.activeElement;
    return { text: el?.textContent?.trim() ?? '', inNav: !!el?.closest('nav[aria-label="Main"]') };
  });
}

/** An enterprise gateway that is down for maintenance: every delivery gets 503. */
async function startDownGateway(): Promise<string> {
  gateway = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down for maintenance"}'));
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
}

/** The daemon's own forwarder.status, read over /api as the UI does. */
async function forwarderLastError(): Promise<{ status: number | null } | null> {
  const res = await fetch(`${daemon.baseUrl}/api/forwarder.status`, { method: 'POST', headers: { authorization: `Bearer ${daemon.apiToken}`, 'content-type': 'application/json' }, body: '{}' });
  return ((await res.json()) as { result: { lastError: { status: number | null } | null } }).result.lastError;
}

async function go(route: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${route}`) }).click();
  await page.getByRole('heading', { level: 1, name: route }).waitFor();
}

beforeAll(async () => {
  ensureRendererBuilt();
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'switchboard-e2e-home-'));
  // A Cursor user config with one server, for the Clients page to find and link.
  mkdirSync(join(home, '.cursor'), { recursive: true });
  writeFileSync(join(home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING_SERVER] } } }, null, 2));
  // Managed policy: get-sum needs the user's approval; a signed org policy and a gateway.
  const orgKey = generateOrgKey('e2e-org');
  orgServer = new OrgServer(orgKey, { version: 1, serial: 7, tools: [{ id: 'org: no shell', match: '*/run-shell', action: 'deny' }] });
  await orgServer.start();
  const gatewayUrl = await startDownGateway();
  const policyFile = join(home, 'managed-policy.json');
  writeFileSync(policyFile, JSON.stringify({
    version: 1,
    tools: [{ id: 'ask before sums', match: 'everything/get-sum', action: 'ask' }],
    org: { url: orgServer.url, publicKeys: [{ id: orgKey.keyId, key: orgKey.publicKeyPem }] },
    gateway: { url: gatewayUrl },
  }));
  daemon = await startTestDaemon({
    // The Clients step links Cursor by URL, which needs the daemon on its configured port.
    configuredPort: true,
    args: ['--static-root', RENDERER],
    env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SWITCHBOARD_MANAGED_POLICY: policyFile },
  });
  browser = await launchBrowser();
  page = browser.page;
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/favicon.ico') faviconRequests.push(request.url());
  });
  const response = await page.goto(`${daemon.baseUrl}/#token=${encodeURIComponent(daemon.apiToken)}`);
  // Web mode's CSP comes as a header too: it alone can forbid framing the UI.
  expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(response?.headers()['x-content-type-options']).toBe('nosniff');
  await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
}, 90_000);

afterAll(async () => {
  await client?.close().catch(() => {});
  await browser?.close();
  await daemon?.stop();
  await orgServer?.stop();
  if (gateway) {
    gateway.closeAllConnections();
    await new Promise((resolve) => gateway.close(resolve));
  }
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('web UI against the headless daemon', () => {
  it('keeps the API token out of the address bar and shows what to do with no servers', async () => {
    expect(page.url()).not.toContain('token');
    expect(page.url()).toMatch(/#\/servers$/);
    await page.getByText('No servers yet').waitFor();
    await shot('01-servers-empty');
  });

  it('loads without a console error: the page declares its icon, so no browser asks for /favicon.ico', async () => {
    await page.waitForLoadState('load');
    // The browser looks for an icon after the load event; give it the time to do so.
    await page.waitForTimeout(1000);
    expect(consoleErrors).toEqual([]);
    expect(faviconRequests).toEqual([]);
    expect(await page.locator('link[rel="icon"]').getAttribute('href', { timeout: 1000 })).toMatch(/^data:image\/svg\+xml,/);
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
    // A failed clients.list shows an alert instead of the clients: say so instead of timing out.
    const alert = page.getByRole('alert');
    await cursor.or(alert).first().waitFor({ timeout: 15_000 });
    if (await alert.count()) throw new Error(`the Clients page shows an error: ${await alert.first().textContent()}`);
    const file = join(home, '.cursor', 'mcp.json');
    const row = cursor.getByRole('row').filter({ hasText: file });
    await row.getByRole('button', { name: 'Link' }).click();
    await row.getByText('linked', { exact: true }).waitFor({ timeout: 15_000 });
    await page.getByRole('status').filter({ hasText: 'Linked' }).waitFor();
    // Cursor takes a URL: its entry now points at the daemon with a client token that works.
    const linked = JSON.parse(readFileSync(file, 'utf8')) as { mcpServers: Record<string, { url?: string; headers?: Record<string, string> }> };
    const entry = linked.mcpServers.everything!;
    expect(entry.url).toBe(`${daemon.baseUrl}/mcp/everything`);
    expect(entry.headers?.Authorization).toMatch(/^Bearer sbt_/);
    const cursorClient = new Client({ name: 'cursor-as-linked', version: '1.0.0' });
    await cursorClient.connect(new StreamableHTTPClientTransport(new URL(entry.url!), { requestInit: { headers: entry.headers! } }));
    try {
      expect((await cursorClient.listTools()).tools.map((t) => t.name)).toContain('echo');
    } finally {
      await cursorClient.close();
    }
    await shot('04-clients-linked');
  });

  it('shows a call made by an SDK client in Activity, live', async () => {
    await go('Activity');
    client = await daemon.httpClient('everything', undefined, 'e2e-sdk-client');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'audited call' } });
    expect(JSON.stringify(result)).toContain('audited call');
    const table = page.getByRole('table', { name: 'Audit records' });
    // The Servers page's test call of echo is in Activity too, as the client switchboard-ui.
    await table.getByRole('row').filter({ hasText: 'e2e-sdk-client' }).first().waitFor({ timeout: 15_000 });
    expect(await table.getByRole('row').filter({ hasText: 'e2e-sdk-client' }).first().textContent()).toContain('echo');
    await shot('05-activity');
    // Export goes through audit.export: the file holds the records, not just what is on screen.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSONL' }).click()]);
    const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { target: string; clientName: string });
    expect(lines.some((r) => r.target === 'echo' && r.clientName === 'e2e-sdk-client')).toBe(true);
  });

  it('labels every bar of "Latency per tool" readably with ten tools, long names shortened with the full name as a tooltip', async () => {
    const longName = 'a-tool-whose-name-is-far-too-long-to-fit-beside-its-bar';
    const tools = ['get-env', 'get-tiny-image', 'get-annotated-message', 'get-resource-links', 'get-resource-reference', 'get-structured-content', 'no-such-tool', `${longName}-1`, `${longName}-2`];
    // Unknown tools fail, and failed calls are audited with their latency too.
    for (const name of tools) await client!.callTool({ name, arguments: {} }).catch(() => undefined);
    const names = ['echo', ...tools].map((tool) => `everything/${tool}`);
    const chart = page.getByRole('figure', { name: 'Latency per tool' });
    // The tool names' tick labels (the other axis has labels too: the milliseconds).
    const ticks = chart.locator('.recharts-cartesian-axis-tick-label').filter({ hasNotText: /^[\d.,]+$/ });
    await expect.poll(() => ticks.count(), { timeout: 15_000 }).toBe(names.length);
    await shot('05b-activity-latency-per-tool');
    const frame = (await chart.locator('.recharts-wrapper > svg.recharts-surface').boundingBox())!;
    const labels: Array<{ text: string; title: string; box: { x: number; y: number; width: number; height: number } }> = [];
    for (let i = 0; i < names.length; i++) {
      const tick = ticks.nth(i);
      labels.push({
        text: (await tick.locator('text').textContent()) ?? '',
        title: (await tick.locator('title').count()) ? ((await tick.locator('title').textContent()) ?? '') : '',
        box: (await tick.locator('text').boundingBox())!,
      });
    }
    expect(new Set(labels.map((l) => l.text)).size, 'labels tell the tools apart').toBe(labels.length);
    // No two labels overlap.
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i]!.box, b = labels[j]!.box;
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `"${labels[i]!.text}" overlaps "${labels[j]!.text}"`).toBe(false);
      }
    }
    // Every tool has its own tick whose tooltip names it in full.
    expect(labels.map((l) => l.title).sort()).toEqual([...names].sort());
    for (const { text, title, box } of labels) {
      // Shown whole, or shortened with an ellipsis, and never cut off by the chart's edge.
      if (text !== title) expect(text, title).toContain('…');
      expect(text.length, title).toBeLessThanOrEqual(26);
      expect(box.x, title).toBeGreaterThanOrEqual(frame.x);
      expect(box.x + box.width, title).toBeLessThanOrEqual(frame.x + frame.width);
    }
    expect(labels.find((l) => l.title === `everything/${longName}-1`)!.text).toMatch(/…/);
  });

  it('approves an ask call in the Approvals page while the client waits, and the call completes', async () => {
    await go('Approvals');
    const call = client!.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }, undefined, { timeout: 60_000 });
    const card = page.locator('article.approval').filter({ hasText: '"a": 2,' });
    await card.waitFor({ timeout: 15_000 });
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent)).toBe('Deny');
    await shot('06-approvals-pending');
    // The answered card leaves at once, not when the list has loaded again: held here, so a click
    // meant for the next card cannot land on this one (CI saw a Deny answer a card already answered).
    let releaseList!: () => void;
    const listHeld = new Promise<void>((resolve) => (releaseList = resolve));
    const held: Promise<void>[] = [];
    const hold = (route: Route) => {
      const continued = listHeld.then(() => route.continue());
      held.push(continued);
      return continued;
    };
    await page.route('**/api/approvals.list', hold);
    await card.getByRole('button', { name: 'Allow once' }).click();
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    releaseList();
    // Each held request is continued by its own handler before the route goes (else Playwright continues it too).
    await Promise.all(held);
    await page.unroute('**/api/approvals.list', hold);
    const result = await call;
    expect(JSON.stringify(result)).toContain('5');
    await page.getByRole('table').filter({ hasText: 'allow-once' }).waitFor({ timeout: 10_000 });
  });

  it('reaches the navigation with Tab and answers an approval from the keyboard alone', async () => {
    await go('Servers');
    await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur(): void } | null } }).document.activeElement?.blur());
    // Tab from the top of the page into the sidebar, then along it to Approvals.
    let reached = false;
    for (let presses = 0; presses < 12 && !reached; presses++) {
      await page.keyboard.press('Tab');
      const where = await focused();
      reached = where.inNav && where.text.startsWith('Approvals');
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();

    const call = client!.callTool({ name: 'get-sum', arguments: { a: 20, b: 22 } }, undefined, { timeout: 60_000 });
    await page.locator('article.approval').filter({ hasText: '"a": 20' }).waitFor({ timeout: 15_000 });
    // Deny has the focus first; Tab moves to Allow once, Enter answers.
    await expect.poll(() => focused().then((f) => f.text)).toBe('Deny');
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Allow once');
    await shot('07-approvals-keyboard');
    await page.keyboard.press('Enter');
    const result = await call;
    expect(JSON.stringify(result)).toContain('42');
  });

  it('denies an ask call and the client gets an error naming the rule', async () => {
    const call = client!.callTool({ name: 'get-sum', arguments: { a: 40, b: 3 } }, undefined, { timeout: 60_000 }).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    const card = page.locator('article.approval').filter({ hasText: '"a": 40' });
    await card.waitFor({ timeout: 15_000 });
    await card.getByRole('button', { name: 'Deny' }).click();
    const outcome = await call;
    const text = outcome.error ? String((outcome.error as Error).message) : JSON.stringify(outcome.result);
    if (outcome.result) expect((outcome.result as { isError?: boolean }).isError).toBe(true);
    expect(text).toMatch(/den/i);
    expect(text).toContain('ask before sums');
    expect(text).not.toContain('43');
    await page.getByRole('cell', { name: 'deny', exact: true }).waitFor({ timeout: 10_000 });
    await shot('08-approvals-history');
  });

  it('shows the effective policy with the rule\'s source', async () => {
    await go('Policy');
    await page.getByRole('cell', { name: 'ask before sums' }).waitFor({ timeout: 10_000 });
    await page.getByRole('cell', { name: 'org: no shell' }).waitFor();
    await shot('09-policy');
  });

  it('shows the data folder, the org policy sync and the gateway\'s backlog and last error in Settings', async () => {
    // The audited calls above are waiting for a gateway that has refused them at least once.
    await expect.poll(async () => (await forwarderLastError())?.status, { timeout: 20_000 }).toBe(503);
    await go('Settings');
    await page.getByText(daemon.dataDir).first().waitFor();
    const org = page.getByRole('region', { name: 'Org policy sync' });
    await org.getByText('active', { exact: true }).waitFor({ timeout: 10_000 });
    expect(await org.textContent()).toContain(orgServer.url);
    const gatewaySection = page.getByRole('region', { name: 'Enterprise gateway' });
    await gatewaySection.getByText(/HTTP 503/).waitFor({ timeout: 10_000 });
    const backlog = await gatewaySection.locator('dt', { hasText: 'Backlog' }).locator('xpath=following-sibling::dd[1]').textContent();
    expect(backlog).toMatch(/^[1-9]\d* records? waiting/);
    await shot('10-settings');
  });

  it('renders in dark mode too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await go('Activity');
    await shot('11-activity-dark');
    await go('Servers');
    await shot('12-servers-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('logged no console error on any page of the session', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('saved a screenshot of every page, and only this run\'s', () => {
    const saved = readdirSync(SHOTS).sort();
    expect(saved).toEqual([...shots].sort());
    for (const name of ['servers', 'clients', 'activity', 'approvals', 'policy', 'settings']) {
      expect(saved.some((file) => file.includes(`-${name}`)), name).toBe(true);
    }
  });
});

/** `switchboard serve --ui` as a user runs it: the address it prints, and a way to stop it. */
interface ServedUi {
  address: string;
  stop(): Promise<void>;
}

async function serveUi(dataDir: string, port: number, env: Record<string, string>): Promise<ServedUi> {
  const served = await startTestDaemon({
    data: { dataDir },
    port,
    args: ['--ui', '--static-root', RENDERER],
    // No display: the address is printed instead of opened.
    env: { ...env, DISPLAY: '', WAYLAND_DISPLAY: '' },
  });
  const address = await until(() => /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(served.output())?.[0] ?? '', { timeoutMs: 20_000, what: 'serve --ui to print its address' }).catch(async (error: unknown) => {
    await served.stop();
    throw error;
  });
  return { address, stop: () => served.stop() };
}

describe('web UI when the daemon restarts under an open page', () => {
  let restartHome: string;
  let dataDir: string;
  let served: ServedUi | undefined;
  let tab: Page;

  beforeAll(() => {
    restartHome = mkdtempSync(join(tmpdir(), 'switchboard-e2e-restart-'));
    dataDir = join(restartHome, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({
      version: 1,
      servers: [{ id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER] }],
    }, null, 2), { mode: 0o600 });
  });

  afterAll(async () => {
    await tab?.close().catch(() => {});
    await served?.stop();
    if (restartHome) rmSync(restartHome, { recursive: true, force: true });
  });

  it('marks what it shows as out of date while the daemon is down, then says to open the new address once the daemon answers with a new token', async () => {
    const env = { HOME: restartHome, XDG_CONFIG_HOME: join(restartHome, '.config') };
    served = await serveUi(dataDir, 0, env);
    const first = served.address;
    const port = Number(new URL(first).port);
    tab = await browser.context.newPage();
    await tab.goto(first);
    const row = tab.getByRole('list', { name: 'Servers' }).getByRole('listitem').filter({ hasText: 'everything' }).first();
    await row.getByText('ready', { exact: true }).waitFor({ timeout: 20_000 });
    await tab.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    // The daemon stops: offline, and the server's state is no longer presented as current.
    await served.stop();
    served = undefined;
    await tab.getByRole('alert', { name: 'Daemon not reachable' }).waitFor({ timeout: 10_000 });
    await tab.getByRole('status').filter({ hasText: 'Offline — retrying' }).waitFor();
    await row.getByText('last known: ready').waitFor();
    expect(await row.getByText('ready', { exact: true }).count()).toBe(0);
    await tab.screenshot({ path: join(SHOTS, '13-restart-offline.png'), fullPage: true });
    shots.push('13-restart-offline.png');

    // A new daemon on the same port and data folder, with a new API token.
    served = await serveUi(dataDir, port, env);
    const second = served.address;
    expect(second).not.toBe(first);
    const expired = tab.getByRole('alert', { name: 'Access expired' });
    await expired.waitFor({ timeout: 30_000 });
    expect(await expired.textContent()).toContain('The Switchboard daemon restarted, so this page\'s access token has expired');
    expect(await expired.textContent()).toContain('switchboard serve --ui');
    // No stale data is left on the page, and it no longer claims to be retrying.
    expect(await tab.getByRole('list', { name: 'Servers' }).count()).toBe(0);
    expect(await tab.getByText('Offline — retrying').count()).toBe(0);
    await tab.screenshot({ path: join(SHOTS, '14-restart-expired.png'), fullPage: true });
    shots.push('14-restart-expired.png');

    // Reloading keeps the old token: the same message, not an API error in every panel.
    await tab.reload();
    await expired.waitFor({ timeout: 15_000 });
    expect(await tab.getByText('Not allowed').count()).toBe(0);

    // Opening the new address in this tab (only the #fragment differs) brings the UI back.
    await tab.goto(second);
    await row.getByText('ready', { exact: true }).waitFor({ timeout: 20_000 });
    await tab.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    expect(tab.url()).not.toContain('token');
    expect(await expired.count()).toBe(0);
  }, 120_000);
});
