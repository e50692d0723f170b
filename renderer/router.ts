// A hash router: #/servers, #/activity?server=x, #/approval/<id>. The hash keeps every route
// inside the one page (no navigation event leaves the app) in Electron and in web mode alike.
import { useEffect, useState } from 'react';

export interface Route {
  readonly path: string;
  readonly segments: string[];
  readonly params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/servers';
  const [pathPart, query = ''] = raw.split('?', 2) as [string, string | undefined];
  const path = pathPart.startsWith('/') ? pathPart : `/${pathPart}`;
  return { path, segments: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(path: string): void {
  window.location.hash = path;
}
