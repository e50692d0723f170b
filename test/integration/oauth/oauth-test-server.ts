// A small real OAuth 2.1 authorization server + protected MCP resource on 127.0.0.1, enough to
// drive the app's OAuth client end to end: RFC 9728 resource metadata, RFC 8414 server metadata,
// dynamic client registration, S256 PKCE, RFC 8707 resource indicators, refresh tokens. The
// consent step approves at once (the "user" is the test) and redirects to the client's callback.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface OAuthTestServer {
  origin: string;
  mcpUrl: string;
  /** Every grant the token endpoint handled, in order. */
  grants: string[];
  /** Resource indicators received at /authorize and /token. */
  resources: string[];
  /** Makes every issued access token invalid (as if expired); refresh tokens stay valid. */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

export async function startOAuthTestServer(): Promise<OAuthTestServer> {
  const clients = new Map<string, { redirect_uris: string[] }>();
  const codes = new Map<string, { clientId: string; challenge: string; redirectUri: string; resource: string }>();
  const accessTokens = new Set<string>();
  const refreshTokens = new Map<string, string>(); // refresh token → client id
  const grants: string[] = [];
  const resources: string[] = [];
  let origin = '';

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const issueTokens = (res: ServerResponse, clientId: string): void => {
    const access = randomBytes(16).toString('hex');
    const refresh = randomBytes(16).toString('hex');
    accessTokens.add(access);
    refreshTokens.set(refresh, clientId);
    json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 3600, refresh_token: refresh });
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/.well-known/oauth-protected-resource/mcp') {
      return json(res, 200, { resource: `${origin}/mcp`, authorization_servers: [origin] });
    }
    if (url.pathname === '/.well-known/oauth-authorization-server') {
      return json(res, 200, {
        issuer: origin, authorization_endpoint: `${origin}/authorize`, token_endpoint: `${origin}/token`,
        registration_endpoint: `${origin}/register`, response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'], code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    }
    if (url.pathname === '/register' && req.method === 'POST') {
      const metadata = JSON.parse(await readBody(req)) as { redirect_uris: string[] };
      const clientId = `client-${randomBytes(6).toString('hex')}`;
      clients.set(clientId, metadata);
      return json(res, 201, { ...metadata, client_id: clientId, client_id_issued_at: Math.floor(Date.now() / 1000) });
    }
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      const client = clients.get(p.get('client_id') ?? '');
      const redirectUri = p.get('redirect_uri') ?? '';
      if (!client || !client.redirect_uris.includes(redirectUri)) return json(res, 400, { error: 'invalid_request', error_description: 'unknown client or redirect_uri' });
      if (p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) return json(res, 400, { error: 'invalid_request', error_description: 'PKCE S256 required' });
      resources.push(p.get('resource') ?? '');
      const code = randomBytes(12).toString('hex');
      codes.set(code, { clientId: p.get('client_id')!, challenge: p.get('code_challenge')!, redirectUri, resource: p.get('resource') ?? '' });
      const target = new URL(redirectUri);
      target.searchParams.set('code', code);
      if (p.get('state')) target.searchParams.set('state', p.get('state')!);
      res.writeHead(302, { location: target.href }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const p = new URLSearchParams(await readBody(req));
      grants.push(p.get('grant_type') ?? '');
      resources.push(p.get('resource') ?? '');
      if (p.get('grant_type') === 'authorization_code') {
        const grant = codes.get(p.get('code') ?? '');
        codes.delete(p.get('code') ?? '');
        const verifier = p.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!grant || grant.challenge !== challenge || grant.redirectUri !== p.get('redirect_uri') || grant.clientId !== p.get('client_id')) {
          return json(res, 400, { error: 'invalid_grant' });
        }
        return issueTokens(res, grant.clientId);
      }
      if (p.get('grant_type') === 'refresh_token') {
        // Refresh tokens are bound to the client they were issued to (RFC 6749 §6).
        const owner = refreshTokens.get(p.get('refresh_token') ?? '');
        if (!owner || owner !== p.get('client_id')) return json(res, 400, { error: 'invalid_grant' });
        refreshTokens.delete(p.get('refresh_token')!);
        return issueTokens(res, owner);
      }
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    if (url.pathname === '/mcp') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !accessTokens.has(token)) {
        return json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': `Bearer error="invalid_token", resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"` });
      }
      const mcp = new McpServer({ name: 'oauth-protected', version: '1.0.0' });
      mcp.registerTool('whoami', { description: 'says the caller is authorized' }, async () => ({ content: [{ type: 'text', text: 'authorized' }] }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => { void transport.close(); void mcp.close(); });
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
      return;
    }
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin, mcpUrl: `${origin}/mcp`, grants, resources,
    expireAccessTokens: () => accessTokens.clear(),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
