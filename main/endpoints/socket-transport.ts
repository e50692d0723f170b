// An SDK Transport over a connected net.Socket (the local endpoint's side of one bridge).
// Unusable lines are answered on the spot and the connection keeps working.
import type { Socket } from 'node:net';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_MAX_MESSAGE_BYTES, LineReader, problemResponse, serialize, writeCoalesced } from '../base/ndjson.ts';

export class SocketTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  sessionId?: string;

  private readonly socket: Socket;
  private readonly reader: LineReader;
  private readonly pending: Buffer | undefined;
  private closed = false;

  /** `leftover` holds bytes already read past the handshake line. */
  constructor(socket: Socket, options: { maxMessageBytes?: number; leftover?: Buffer } = {}) {
    this.socket = socket;
    this.pending = options.leftover;
    this.reader = new LineReader({
      message: (message) => this.onmessage?.(message),
      problem: (problem) => {
        if (!this.socket.writable) return;
        this.socket.write(serialize(problemResponse(problem)));
      },
    }, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
  }

  async start(): Promise<void> {
    this.socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    this.socket.on('error', (error) => this.onerror?.(error));
    this.socket.on('close', () => this.finish());
    if (this.pending && this.pending.length > 0) this.reader.push(this.pending);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || !this.socket.writable) throw new Error('client connection is closed');
    writeCoalesced(this.socket, serialize(message));
  }

  async close(): Promise<void> {
    this.socket.end();
    this.socket.destroySoon?.();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
