// How the UI reaches the daemon. In the desktop app the preload's window.switchboard carries
// calls over validated IPC; in web mode calls go to /api/<method> on the daemon that served the
// page, with the API token. Pages never know which one is in use.
import { ApiError, type ApiErrorBody, type CallTransport } from '../../shared/api/define.ts';
import type { SwitchboardBridge } from '../../preload/api';

const TOKEN_KEY = 'switchboard.apiToken';

/**
 * Web mode: `switchboard serve --ui` opens http://127.0.0.1:<port>/#token=<token>. The token
 * moves to sessionStorage (this tab only) and leaves the address bar and history at once.
 */
export function takeTokenFromLocation(location: Location, storage: Storage, history: History): string | null {
  const match = /^#token=([^&]+)(?:&route=(.*))?$/.exec(location.hash);
  if (match) {
    storage.setItem(TOKEN_KEY, decodeURIComponent(match[1]!));
    const route = match[2] ? decodeURIComponent(match[2]) : '/servers';
    history.replaceState(null, '', `${location.pathname}${location.search}#${route}`);
  }
  return storage.getItem(TOKEN_KEY);
}

export function ipcTransport(bridge: SwitchboardBridge): CallTransport {
  return async (method, input) => {
    const result = await bridge.call(method, input);
    if (result.ok) return result.result;
    throw new ApiError(result.error);
  };
}

function errorFrom(status: number, body: unknown): ApiError {
  const error = (body as { error?: Partial<ApiErrorBody> } | null)?.error;
  if (error && typeof error.message === 'string') {
    return new ApiError({ code: error.code ?? 'internal', message: error.message, ...(error.issues ? { issues: error.issues } : {}) });
  }
  const code: ApiErrorBody['code'] = status === 401 || status === 403 ? 'forbidden' : status === 404 ? 'not_found' : status === 503 ? 'unavailable' : 'internal';
  return new ApiError({ code, message: `HTTP ${status}` });
}

export interface HttpTransportOptions {
  fetchImpl?: typeof fetch;
  /**
   * The daemon answered 401: it is up but does not accept this page's token (it restarted and
   * made a new one). Retrying cannot help; the page must be opened with the new address.
   */
  onUnauthorized?: () => void;
}

export function httpTransport(getToken: () => string | null, options: HttpTransportOptions = {}): CallTransport {
  const fetchImpl = options.fetchImpl ?? ((...args) => fetch(...args));
  return async (method, input) => {
    const token = getToken();
    let response: Response;
    try {
      response = await fetchImpl(`api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(input ?? {}),
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError({ code: 'unavailable', message: `the daemon is not reachable (${error instanceof Error ? error.message : String(error)})` });
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (response.status === 401) options.onUnauthorized?.();
    if (!response.ok) throw errorFrom(response.status, body);
    // Either a DispatchResult ({ ok, result | error }), a { result } envelope, or the bare result.
    if (body && typeof body === 'object' && 'ok' in body && typeof (body as { ok: unknown }).ok === 'boolean') {
      const result = body as { ok: boolean; result?: unknown; error?: ApiErrorBody };
      if (result.ok) return result.result;
      throw errorFrom(response.status, body);
    }
    if (body && typeof body === 'object' && 'result' in body && Object.keys(body).length === 1) return (body as { result: unknown }).result;
    return body;
  };
}

export const tokenStorageKey = TOKEN_KEY;
