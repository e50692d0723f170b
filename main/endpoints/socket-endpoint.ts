// The local socket (<dataDir>/switchboard.sock, mode 0600) that `switchboard bridge` connects
// to. The first line is a handshake naming the server (or the profile, for `bridge --profile`); the
// rest is NDJSON JSON-RPC relayed to that server (or the profile's federated session). A refused session answers each request with the reason instead.
import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../base/logger.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, LineReader, errorResponse, problemResponse, serialize } from '../base/ndjson.ts';
import { ProxyErrorCode } from '../relay/interceptor.ts';
import type { RelayHub } from '../relay/relay-hub.ts';
import { SocketTransport } from './socket-transport.ts';
import type { Federation } from '../federation/federation.ts';

export type Handshake = { server: string; profile?: undefined; client: string } | { profile: string; server?: undefined; client: string };

const MAX_HANDSHAKE_BYTES = 4096;

export function handshakeLine(handshake: { server?: string; profile?: string; client: string }): string {
  return `${JSON.stringify({ switchboard: handshake })}\n`;
}

export function parseHandshake(line: string): Handshake | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'the first line must be the handshake {"switchboard":{"server":"<id>","client":"bridge"}}; got something that is not JSON';
  }
  const inner = (value as { switchboard?: { server?: unknown; profile?: unknown; client?: unknown } } | null)?.switchboard;
  const client = typeof inner?.client === 'string' && inner.client !== '' ? inner.client : 'bridge';
  if (inner && typeof inner.profile === 'string' && inner.profile !== '' && inner.server === undefined) return { profile: inner.profile, client };
  if (!inner || typeof inner.server !== 'string' || inner.server === '' || inner.profile !== undefined) {
    return 'the first line must be the handshake {"switchboard":{"server":"<id>","client":"bridge"}} or {"switchboard":{"profile":"<name>","client":"bridge"}}';
  }
  return { server: inner.server, client };
}

export interface SocketEndpointOptions {
  path: string;
  hub: RelayHub;
  /** Serves handshakes naming a profile. */
  federation?: Federation;
  logger: Logger;
  maxMessageBytes?: number;
}

export class SocketEndpoint {
  readonly path: string;
  private readonly hub: RelayHub;
  private readonly federation: Federation | undefined;
  private readonly logger: Logger;
  private readonly maxMessageBytes: number;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(options: SocketEndpointOptions) {
    this.path = options.path;
    this.hub = options.hub;
    this.federation = options.federation;
    this.logger = options.logger;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  async listen(): Promise<void> {
    if (process.platform !== 'win32') {
      const dir = dirname(this.path);
      const mode = statSync(dir).mode & 0o777;
      if ((mode & 0o077) !== 0) {
        this.logger.warn('data folder was accessible to other users; restricting it to 0700', { dir, mode: mode.toString(8) });
        chmodSync(dir, 0o700);
      }
      // Only one daemon per data folder gets this far (daemon.json), so a leftover file is stale.
      try {
        unlinkSync(this.path);
      } catch {
        // not there
      }
    }
    const server = createServer((socket) => this.accept(socket));
    server.on('error', (error) => this.logger.error('socket endpoint error', { error }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (process.platform !== 'win32') chmodSync(this.path, 0o600);
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
    // Ended, not destroyed: answers already written (a shutdown's errors) still reach the
    // bridges. A connection still open a second later is cut.
    await Promise.all([...this.sockets].map((socket) => endSocket(socket, 1000)));
    await closed;
    // Only the path this endpoint listened on: a daemon that lost the race for the data folder
    // stops without having listened, and must not remove the winner's socket.
    if (server && process.platform !== 'win32') {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      const newline = chunk.indexOf(0x0a);
      if (newline === -1) {
        chunks.push(chunk);
        size += chunk.length;
        if (size > MAX_HANDSHAKE_BYTES) {
          socket.off('data', onData);
          socket.end(serialize(errorResponse(null, -32600, 'the handshake line is too long')));
        }
        return;
      }
      socket.off('data', onData);
      socket.pause();
      const line = Buffer.concat([...chunks, chunk.subarray(0, newline)]).toString('utf8');
      const leftover = chunk.subarray(newline + 1);
      void this.startSession(socket, line, leftover);
    };
    socket.on('data', onData);
  }

  private async startSession(socket: Socket, line: string, leftover: Buffer): Promise<void> {
    const handshake = parseHandshake(line);
    if (typeof handshake === 'string') {
      this.refuseRequests(socket, leftover, `switchboard: ${handshake}`, -32600);
      return;
    }
    const transport = new SocketTransport(socket, { maxMessageBytes: this.maxMessageBytes, leftover });
    try {
      if (handshake.profile !== undefined) {
        if (!this.federation) throw new Error('this daemon serves no profiles');
        await this.federation.open({ profile: handshake.profile, downstream: transport, transport: 'socket', clientLabel: handshake.client });
      } else {
        await this.hub.open({ serverId: handshake.server, downstream: transport, transport: 'socket', clientLabel: handshake.client });
      }
      socket.resume();
    } catch (error) {
      this.logger.warn('socket session refused', { server: handshake.server, profile: handshake.profile, error: (error as Error).message });
      this.refuseRequests(socket, leftover, (error as Error).message, ProxyErrorCode.ServerUnavailable);
    }
  }

  /** Keeps the connection and answers every request with `why` until the client hangs up. */
  private refuseRequests(socket: Socket, leftover: Buffer, why: string, code: number): void {
    const reader = new LineReader({
      message: (message) => {
        if ('method' in message && 'id' in message && message.id !== undefined && socket.writable) {
          socket.write(serialize(errorResponse(message.id, code, why)));
        }
      },
      problem: (problem) => {
        if (socket.writable) socket.write(serialize(problemResponse(problem)));
      },
    }, this.maxMessageBytes);
    socket.removeAllListeners('data');
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    if (leftover.length > 0) reader.push(leftover);
    socket.resume();
  }
}

function endSocket(socket: Socket, ms: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
