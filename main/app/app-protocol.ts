// Serves the built renderer (dist/renderer) under app://switchboard/. Only files inside the root
// are served; every response carries the app's CSP and nosniff.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentTypeFor } from '../../shared/ui-files.ts';
import { APP_CSP, APP_HOST } from './app-origin.ts';

export function createAppProtocolHandler(root: string, read: (file: string) => Promise<Uint8Array> = readFile): (request: { url: string }) => Promise<Response> {
  const base = path.resolve(root);
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const relative = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(base, relative);
    if (file !== base && !file.startsWith(base + path.sep)) return new Response('forbidden', { status: 403 });
    try {
      const body = await read(file);
      return new Response(body as ConstructorParameters<typeof Response>[0], {
        headers: {
          'content-type': contentTypeFor(path.extname(file)),
          'content-security-policy': APP_CSP,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}
