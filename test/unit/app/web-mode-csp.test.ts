// Web mode (`switchboard serve --ui`): the daemon's HTTP endpoint serves the built UI with the
// same Content-Security-Policy as the desktop app's pages, plus frame-ancestors (which a <meta>
// CSP cannot carry), and nosniff.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP } from '../../../main/app/app-origin.ts';
import { HttpEndpoint } from '../../../main/endpoints/http-endpoint.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import type { RelayHub } from '../../../main/relay/relay-hub.ts';

const REPO_ROOT = join(import.meta.dirname, '../../..');

function metaCsp(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
  if (!match) throw new Error('renderer/index.html has no CSP <meta>');
  return match[1]!;
}

function directives(policy: string): string[] {
  return policy.split(';').map((d) => d.trim()).filter(Boolean).sort();
}

describe('web UI static files', () => {
  let root: string;
  let endpoint: HttpEndpoint;
  let base: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'switchboard-static-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), readFileSync(join(REPO_ROOT, 'renderer/index.html')));
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    // The hub is only reached by /mcp/ requests, which these tests do not make.
    endpoint = new HttpEndpoint({ hub: {} as RelayHub, logger: silentLogger, tokens: () => [], apiToken: 'not-used', staticRoot: root });
    base = `http://127.0.0.1:${await endpoint.listen(0)}`;
  });

  afterAll(async () => {
    await endpoint.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('sends the page\'s own CSP plus frame-ancestors \'none\' as a header', () => {
    const meta = directives(metaCsp(readFileSync(join(REPO_ROOT, 'renderer/index.html'), 'utf8')));
    expect(directives(APP_CSP)).toEqual([...meta, "frame-ancestors 'none'"].sort());
  });

  it('serves the page, assets and single-page routes with CSP and nosniff', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/servers']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy'), path).toBe(APP_CSP);
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      await res.arrayBuffer();
    }
  });

  it('still refuses a path outside the root', async () => {
    const res = await fetch(`${base}/..%2f..%2fetc%2fpasswd`);
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });
});
