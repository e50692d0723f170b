// The OAuth redirect target: an HTTP server on 127.0.0.1 with a random port (RFC 8252 loopback
// redirect). It accepts one path, checks `state`, and hands the authorization code to whoever waits.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class OAuthCallbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthCallbackError';
  }
}

interface Waiter {
  state: string | undefined;
  resolve(code: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class LoopbackCallbackServer {
  private readonly server: Server;
  private readonly path: string;
  private waiter: Waiter | undefined;
  /** A code that arrived before anyone waited for it (the browser can be faster than us). */
  private early: { state: string | null; code?: string; error?: string } | undefined;

  private constructor(server: Server, path: string) {
    this.server = server;
    this.path = path;
  }

  /**
   * Listens on `preferredPort` when it is free (the port a client was registered with, so the
   * registration and its refresh tokens stay usable), otherwise on a random port.
   */
  static async start(options: { path?: string; preferredPort?: number } = {}): Promise<LoopbackCallbackServer> {
    const path = options.path ?? '/oauth/callback';
    const server = createServer();
    const instance = new LoopbackCallbackServer(server, path);
    server.on('request', (req, res) => instance.handle(req.url ?? '/', res));
    const listen = (port: number): Promise<void> => new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => { server.off('error', onError); resolve(); });
    });
    if (options.preferredPort) {
      await listen(options.preferredPort).catch(() => listen(0));
    } else {
      await listen(0);
    }
    server.unref();
    return instance;
  }

  get redirectUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.path}`;
  }

  /** Resolves with the code of the next redirect whose state matches; rejects on error or timeout. */
  waitForCode(state: string | undefined, timeoutMs = 300_000): Promise<string> {
    this.waiter?.reject(new OAuthCallbackError('a newer authorization replaced this one'));
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new OAuthCallbackError(`no authorization arrived within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      timer.unref();
      this.waiter = { state, resolve, reject, timer };
      if (this.early) {
        const early = this.early;
        this.early = undefined;
        this.deliver(early.state, early.code, early.error);
      }
    });
  }

  async close(): Promise<void> {
    this.waiter?.reject(new OAuthCallbackError('the callback server closed'));
    this.waiter = undefined;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(rawUrl: string, res: import('node:http').ServerResponse): void {
    const url = new URL(rawUrl, 'http://127.0.0.1');
    if (url.pathname !== this.path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const code = url.searchParams.get('code') ?? undefined;
    const error = url.searchParams.get('error') ?? undefined;
    const state = url.searchParams.get('state');
    const accepted = this.deliver(state, code, error ? `${error}${url.searchParams.get('error_description') ? `: ${url.searchParams.get('error_description')}` : ''}` : undefined);
    res.writeHead(accepted ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(accepted
        ? '<!doctype html><title>MCP Switchboard</title><p>Authorization received. You can close this window.</p>'
        : '<!doctype html><title>MCP Switchboard</title><p>This authorization response was not expected (state mismatch or an error).</p>');
  }

  private deliver(state: string | null, code: string | undefined, error: string | undefined): boolean {
    const waiter = this.waiter;
    if (!waiter) {
      this.early = { state, ...(code ? { code } : {}), ...(error ? { error } : {}) };
      return Boolean(code);
    }
    if (waiter.state !== undefined && state !== waiter.state) return false; // ignore forged or stale redirects
    clearTimeout(waiter.timer);
    this.waiter = undefined;
    if (error || !code) waiter.reject(new OAuthCallbackError(`the authorization server refused: ${error ?? 'no code in the redirect'}`));
    else waiter.resolve(code);
    return !error && Boolean(code);
  }
}
