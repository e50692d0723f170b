import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_CSP } from '../../../main/app/app-origin.ts';
import { createAppProtocolHandler } from '../../../main/app/app-protocol.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-proto-'));
const root = path.join(dir, 'renderer');
mkdirSync(path.join(root, 'assets'), { recursive: true });
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(dir, 'secret.txt'), 'secret');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('app:// protocol handler', () => {
  const handle = createAppProtocolHandler(root);

  it('serves files of the renderer root with the CSP', async () => {
    const res = await handle({ url: 'app://switchboard/assets/app.js' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(await (await handle({ url: 'app://switchboard/' })).text()).toContain('<title>x</title>');
  });

  it('never serves a file outside the root', async () => {
    for (const url of ['app://switchboard/../secret.txt', 'app://switchboard/%2e%2e/secret.txt', 'app://switchboard/assets/..%2f..%2fsecret.txt']) {
      const res = await handle({ url });
      expect(res.status === 403 || res.status === 404).toBe(true);
      expect(await res.text()).not.toContain('secret');
    }
  });

  it('answers 404 for other hosts and missing files', async () => {
    expect((await handle({ url: 'app://other/index.html' })).status).toBe(404);
    expect((await handle({ url: 'app://switchboard/nope.js' })).status).toBe(404);
  });
});
