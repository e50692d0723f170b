// Where the app's own pages live. The renderer is served by a privileged custom scheme (the way
// VS Code serves vscode-file://), so every page has one stable origin that IPC checks and CSP
// 'self' can name. Nothing on the web shares it.
export const APP_SCHEME = 'app';
export const APP_HOST = 'switchboard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Content Security Policy for every app page (shared with the daemon's web mode). */
export { UI_CSP as APP_CSP } from '../../shared/ui-files.ts';

export function appUrl(route = '/'): string {
  return `${APP_ORIGIN}/index.html#${route.startsWith('/') ? route : `/${route}`}`;
}

/** True only for a URL of the app's own origin (not a look-alike host, port or scheme). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** External links open in the OS browser only when they are plain http(s) with a host. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}
