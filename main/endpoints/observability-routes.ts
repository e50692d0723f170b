// GET /metrics (Prometheus) and GET /health on the loopback endpoint, behind its Host/Origin checks.
// /metrics is off until settings.observability.metricsTokenSha256 names a token, and then opens
// only with that token: it is a scope of its own, no client or API token opens it, and it opens
// nothing else. /health answers liveness and readiness with no token and no details.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthFailureLog } from './auth-failures.ts';
import { bearerToken, sameDigest, sendJson, sha256Hex } from './http-guard.ts';
import type { RouteHandler } from './http-endpoint.ts';

export interface MetricsRouteOptions {
  /** The metrics token's SHA-256 (hex), read per request; undefined: scraping is off. */
  tokenSha256: () => string | undefined;
  text: () => Promise<{ contentType: string; body: string }>;
  authFailures: AuthFailureLog;
}

export function metricsRoute(options: MetricsRouteOptions): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== '/metrics') return sendJson(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'use GET /metrics' }, { allow: 'GET' });
    const expected = options.tokenSha256();
    if (expected === undefined) {
      return sendJson(res, 404, { error: 'metrics scraping is off: create a metrics token with `switchboard health metrics-token` (settings.observability.metricsTokenSha256)' });
    }
    const token = bearerToken(req);
    if (token === undefined || !sameDigest(sha256Hex(token), expected)) {
      const userAgent = req.headers['user-agent'];
      options.authFailures.record({
        status: 401, reason: token === undefined ? 'missing metrics token' : 'invalid metrics token', endpoint: '/metrics',
        client: typeof userAgent === 'string' && userAgent.length > 0 ? `user-agent "${userAgent}"` : 'unknown',
      });
      return sendJson(res, 401, { error: 'the metrics token is missing or wrong (Authorization: Bearer <metrics token>)' }, { 'www-authenticate': 'Bearer realm="mcp-switchboard-metrics"' });
    }
    const { contentType, body } = await options.text();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** /health (both), /health/live, /health/ready: 200 or 503 with {"status": …} and nothing more. */
export function healthRoute(ready: () => boolean): RouteHandler {
  return (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'use GET' }, { allow: 'GET' });
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/health/live') return sendJson(res, 200, { status: 'live' }, { 'cache-control': 'no-store' });
    if (path !== '/health' && path !== '/health/ready') return sendJson(res, 404, { error: 'not found' });
    const isReady = ready();
    sendJson(res, isReady ? 200 : 503, { status: isReady ? 'ready' : 'not ready' }, { 'cache-control': 'no-store' });
  };
}
