// The Catalog page end to end: a real `switchboard serve` serving the built UI, driven in Debian's
// Chromium, reading the HTTP fixture registry that the managed policy configures (nothing reaches
// the network). Steps run in order on one daemon and one page: search (entries across pages, one
// blocked by a policy rule that the page names, one deprecated), details and install of the npm
// entry with its secret typed into a password field (it ends in the keychain), an update
// available once the registry publishes a newer version, the catalog cached when the registry is
// down, and the route a switchboard://install?name=… link opens. Screenshots land in
// test-results/screenshots-catalog/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogRoute } from '../../main/app/deep-link.ts';
import { KeyringSecretStore } from '../../main/secrets/secret-store.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { EVERYTHING_NAME, everythingServer, startRegistryFixture, type RegistryFixture } from '../support/registry.ts';
import { RENDERER, ensureRendererBuilt } from '../support/renderer-build.ts';
import { uniqueService } from '../unit/secrets/keychain-helpers.ts';

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots-catalog');

let daemon: TestDaemon;
let browser: TestBrowser;
let page: Page;
let fixture: RegistryFixture;
let home: string;
let store: KeyringSecretStore;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function search(query: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search the catalog' }).fill(query);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
}

beforeAll(async () => {
  ensureRendererBuilt();
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  fixture = await startRegistryFixture({ pageSize: 2 });
  fixture.setStatus('io.example/legacy-tool', '0.9.0', 'deprecated', 'Use io.example/new-tool instead');
  home = mkdtempSync(join(tmpdir(), 'switchboard-catalog-e2e-'));
  const policyFile = join(home, 'managed-policy.json');
  writeFileSync(policyFile, JSON.stringify({
    version: 1,
    registries: { sources: [{ url: fixture.url, name: 'Fixture registry' }] },
    servers: { deny: [{ id: 'no containers', package: { registryType: 'oci', identifier: '**' } }] },
  }));
  const service = uniqueService();
  store = new KeyringSecretStore({ service });
  daemon = await startTestDaemon({ args: ['--static-root', RENDERER], env: { SWITCHBOARD_MANAGED_POLICY: policyFile, SWITCHBOARD_KEYCHAIN_SERVICE: service } });
  browser = await launchBrowser();
  page = browser.page;
  await page.goto(`${daemon.baseUrl}/#token=${encodeURIComponent(daemon.apiToken)}`);
  await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  await fixture?.close();
  if (store) for (const name of await store.list()) await store.delete(name);
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the Catalog page', () => {
  it('searches the configured registry across pages and marks policy and status', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
    await search('io.');
    const list = page.getByRole('list', { name: 'Catalog entries' });
    await list.getByRole('listitem', { name: 'io.example/weather-py' }).waitFor();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(5);
    await page.getByText(/Fixture registry: fetched \d+ s ago, 3 pages/).waitFor();
    await list.getByRole('listitem', { name: 'io.example/fetch-oci' }).getByText('blocked: managed no containers').waitFor();
    await list.getByRole('listitem', { name: 'io.example/legacy-tool' }).getByText('deprecated').waitFor();
    await list.getByRole('listitem', { name: EVERYTHING_NAME }).getByText('allowed by policy').waitFor();
    await shot('01-catalog-search');
  });

  it('shows details and installs the npm entry with its secret, which goes to the keychain', async () => {
    await page.getByRole('list', { name: 'Catalog entries' }).getByRole('listitem', { name: EVERYTHING_NAME }).getByRole('button').click();
    const form = page.getByRole('form', { name: `Install ${EVERYTHING_NAME}` });
    await form.waitFor();
    const secretField = form.getByLabel('EVERYTHING_API_KEY', { exact: true });
    expect(await secretField.getAttribute('type')).toBe('password');
    await secretField.fill('sk-catalog-e2e-5d1f');
    await shot('02-catalog-details-install');
    await form.getByRole('button', { name: 'Install' }).click();
    await page.getByRole('status').filter({ hasText: 'Installed “server-everything”; 1 secret kept in the OS keychain.' }).waitFor();
    expect(await store.get('server-everything.env.EVERYTHING_API_KEY')).toBe('sk-catalog-e2e-5d1f');
    expect(readFileSync(join(daemon.dataDir, 'config.json'), 'utf8')).not.toContain('sk-catalog-e2e-5d1f');
    await shot('03-catalog-installed');
  });

  it('shows an update for the installed server once the registry has a newer version', async () => {
    fixture.publish(everythingServer('1.1.0'));
    await search('server-everything');
    await page.getByRole('heading', { name: 'Updates available' }).waitFor();
    await page.getByRole('list', { name: 'Catalog entries' }).getByText(/installed as server-everything \(1\.0\.0\): update available/).waitFor();
    await shot('04-catalog-update-available');
  });

  it('shows the cached catalog with its age when the registry is down', async () => {
    await fixture.down();
    await search('io.');
    await page.getByRole('status', { name: 'Fixture registry offline' }).waitFor();
    await expect.poll(() => page.getByRole('list', { name: 'Catalog entries' }).getByRole('listitem').count()).toBe(5);
    await shot('05-catalog-offline');
    await fixture.up();
  });

  it('opens an entry from the route a switchboard://install?name=… link leads to', async () => {
    await page.goto(`${daemon.baseUrl}/#${catalogRoute({ name: 'io.example/remote-docs' })}`);
    const form = page.getByRole('form', { name: 'Install io.example/remote-docs' });
    await form.waitFor();
    expect(await form.getByLabel('token', { exact: true }).getAttribute('type')).toBe('password');
    await form.getByLabel('tenant', { exact: true }).waitFor();
    await shot('06-catalog-deep-link');
  });
});
