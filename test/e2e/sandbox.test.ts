// The sandbox on the Servers page, end to end: a real `switchboard serve` with real bwrap and
// server-filesystem from npm, the built web UI in Debian's Chromium. A sandboxed server shows its
// state and profile; an unconfined one shows "not sandboxed" with the suggested profile, which one
// click saves (the server restarts inside the sandbox). A server that needs more than its profile
// allows fails, and its Sandbox tab shows its stderr tail with the hint to widen the profile.
// Screenshots land in test-results/screenshots-sandbox/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { RENDERER, ensureRendererBuilt } from '../support/renderer-build.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots-sandbox');
const FILESYSTEM_SERVER = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const NODE_MODULES = join(REPO_ROOT, 'node_modules');
const REACH_SERVER = join(REPO_ROOT, 'test/support/reach-server.ts');

let daemon: TestDaemon;
let browser: TestBrowser;
let page: Page;
let home: string;
let allowed: string;


const row = (id: string) => page.getByRole('list', { name: 'Servers' }).getByRole('listitem').filter({ has: page.locator('.server-name', { hasText: new RegExp(`^${id}$`) }) });

async function openSandboxTab(id: string): Promise<void> {
  const item = row(id);
  const disclosure = item.locator('button.disclosure');
  if ((await disclosure.getAttribute('aria-expanded')) !== 'true') await disclosure.click();
  await item.getByRole('tab', { name: 'Sandbox' }).click();
}

const configured = (id: string) => (JSON.parse(readFileSync(join(daemon.dataDir, 'config.json'), 'utf8')) as { servers: Array<{ id: string; sandbox?: unknown }> }).servers.find((s) => s.id === id);

beforeAll(async () => {
  ensureRendererBuilt();
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'switchboard-e2e-sandbox-'));
  allowed = join(home, 'projects');
  mkdirSync(allowed, { recursive: true });
  writeFileSync(join(allowed, 'readme.txt'), 'inside\n');
  // Managed policy: the sandboxed server must stay sandboxed, without network.
  const policyFile = join(home, 'managed-policy.json');
  writeFileSync(policyFile, JSON.stringify({ version: 1, sandbox: { require: [{ id: 'boxed stays boxed', servers: [{ server: 'files-boxed' }], network: 'none' }] } }));
  daemon = await startTestDaemon({
    args: ['--static-root', RENDERER],
    env: { HOME: home, SWITCHBOARD_MANAGED_POLICY: policyFile },
    servers: [
      { id: 'files-boxed', transport: 'stdio', command: process.execPath, args: [FILESYSTEM_SERVER, allowed], sandbox: { enabled: true, network: 'none', readOnly: [NODE_MODULES], readWrite: [allowed] } },
      { id: 'files-open', transport: 'stdio', command: process.execPath, args: [FILESYSTEM_SERVER, allowed] },
      // Its profile leaves out the folder of its own script: inside the sandbox, node cannot load it.
      { id: 'too-narrow', transport: 'stdio', command: process.execPath, args: [REACH_SERVER], sandbox: { enabled: true, network: 'none', readOnly: [], readWrite: [] } },
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

describe('the sandbox on the Servers page', () => {
  it('shows a sandboxed server\'s state and profile', async () => {
    await row('files-boxed').getByText('ready', { exact: true }).waitFor({ timeout: 30_000 });
    await openSandboxTab('files-boxed');
    const item = row('files-boxed');
    await expect.poll(() => item.getByTestId('sandbox-state').textContent(), { timeout: 15_000 }).toBe('bwrap network=none');
    const form = item.getByRole('form', { name: 'Sandbox profile of files-boxed' });
    expect(await form.getByLabel('Network').inputValue()).toBe('none');
    expect(await form.getByLabel(/Read-write paths/).inputValue()).toBe(allowed);
    expect(await form.getByLabel(/Read-only paths/).inputValue()).toBe(NODE_MODULES);
    expect(await form.getByLabel('Run in the sandbox').isChecked()).toBe(true);
    await page.screenshot({ path: join(SHOTS, '01-sandboxed-server.png'), fullPage: true });
  });

  it('shows the stderr tail of a server that failed inside its sandbox, with the hint to widen its profile', async () => {
    const item = row('too-narrow');
    await item.getByText('failed', { exact: true }).first().waitFor({ timeout: 30_000 });
    await openSandboxTab('too-narrow');
    const note = item.getByRole('note').filter({ hasText: 'The server failed inside its sandbox.' });
    await note.waitFor({ timeout: 15_000 });
    expect(await note.textContent()).toContain('If it needs a path or the network, widen its profile.');
    await expect.poll(() => note.locator('pre').textContent(), { timeout: 15_000 }).toContain('MODULE_NOT_FOUND');
    await page.screenshot({ path: join(SHOTS, '06-failed-in-sandbox.png'), fullPage: true });
  });

  it('says "not sandboxed" plainly for an unconfined server, offers the suggested profile, and saving it restarts the server inside the sandbox', async () => {
    await openSandboxTab('files-open');
    const item = row('files-open');
    await expect.poll(() => item.getByTestId('sandbox-state').textContent(), { timeout: 15_000 }).toBe('not sandboxed');
    await item.getByText('No profile yet: the server runs unconfined.').waitFor();
    const form = item.getByRole('form', { name: 'Sandbox profile of files-open' });
    // The suggestion: the folder argument read-write, the package's node_modules read-only, no network.
    expect(await form.getByLabel(/Read-write paths/).inputValue()).toBe(allowed);
    expect(await form.getByLabel(/Read-only paths/).inputValue()).toBe(NODE_MODULES);
    await page.screenshot({ path: join(SHOTS, '02-unsandboxed-suggested.png'), fullPage: true });
    await form.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => item.getByTestId('sandbox-state').textContent(), { timeout: 15_000 }).toBe('bwrap network=none');
    expect(configured('files-open')?.sandbox).toEqual({ enabled: true, network: 'none', readOnly: [NODE_MODULES], readWrite: [allowed] });
    await item.getByText('ready', { exact: true }).first().waitFor({ timeout: 30_000 });
  });

  it('edits the network and a path; a missing path is refused with a message', async () => {
    const item = row('files-open');
    const form = item.getByRole('form', { name: 'Sandbox profile of files-open' });
    await form.getByLabel('Network').selectOption('all');
    await form.getByLabel(/Read-write paths/).fill(`${allowed}\n/does/not/exist`);
    await form.getByRole('button', { name: 'Save profile' }).click();
    await form.getByText(/read-write path \/does\/not\/exist does not exist/).waitFor({ timeout: 15_000 });
    expect(configured('files-open')?.sandbox).toMatchObject({ network: 'none' });
    await form.getByLabel(/Read-write paths/).fill(allowed);
    await form.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => item.getByTestId('sandbox-state').textContent(), { timeout: 15_000 }).toBe('bwrap network=all');
    expect(configured('files-open')?.sandbox).toMatchObject({ network: 'all', readWrite: [allowed] });
    await page.screenshot({ path: join(SHOTS, '03-profile-edited.png'), fullPage: true });
  });

  it('adding a server with "Run in the OS sandbox" stores the suggested profile before its first start', async () => {
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const form = page.getByRole('form', { name: 'Add a server' });
    await form.getByLabel('Server id', { exact: true }).fill('files-new');
    await form.getByLabel('Command', { exact: true }).fill(process.execPath);
    await form.getByLabel(/Arguments/).fill(`${FILESYSTEM_SERVER}\n${allowed}`);
    await form.getByLabel(/Run in the OS sandbox/).check();
    await page.screenshot({ path: join(SHOTS, '04-add-sandboxed.png'), fullPage: true });
    await form.getByRole('button', { name: 'Add server' }).click();
    await row('files-new').getByText('ready', { exact: true }).waitFor({ timeout: 30_000 });
    expect(configured('files-new')?.sandbox).toEqual({ enabled: true, network: 'none', readOnly: [NODE_MODULES], readWrite: [allowed] });
    const { status } = await daemon.api['servers.get']({ id: 'files-new' });
    expect(status.sandbox).toBe('bwrap network=none');
  });

  it('shows the policy\'s sandbox requirements on the Policy page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Policy/ }).click();
    const section = page.getByRole('region', { name: 'Sandbox requirements' });
    await section.waitFor({ timeout: 15_000 });
    const rule = section.getByRole('row').filter({ hasText: 'boxed stays boxed' });
    await expect.poll(() => rule.textContent()).toContain('managed');
    expect(await rule.textContent()).toContain('"network":"none"');
    await page.screenshot({ path: join(SHOTS, '05-policy-sandbox.png'), fullPage: true });
  });
});
