// One server of a federated session: a relay session of the hub (admission, interceptor chain,
// timeouts, crash restarts: exactly what a client of /mcp/<id> gets), driven over an in-memory
// transport pair by the federated session, which acts as that relay session's client.
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, RequestId, ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { errorResponse } from '../base/ndjson.ts';
import { ProxyErrorCode, type ClientTransportKind, type RelayResponse } from '../relay/interceptor.ts';
import type { RelayHub } from '../relay/relay-hub.ts';
import type { RelaySession } from '../relay/relay-session.ts';

export interface LegOpenOptions {
  readonly hub: RelayHub;
  readonly serverId: string;
  readonly sessionId: string;
  readonly profile: string;
  readonly transport: ClientTransportKind;
  readonly clientLabel: string;
  /** The client's initialize params, sent on to the server (its clientInfo and capabilities). */
  readonly initialize: Record<string, unknown>;
}

/** Server→client traffic of one leg: requests (sampling, elicitation, roots) and notifications. */
export type LegListener = (leg: UpstreamLeg, message: JSONRPCRequest | JSONRPCNotification) => void;

const INIT_ID = 'switchboard:federation:initialize';

export class UpstreamLeg {
  readonly serverId: string;
  capabilities: ServerCapabilities = {};
  /** Why the server is not part of the session (not admitted, failed to start, closed). */
  failure: string | undefined;
  private relay: RelaySession | undefined;
  private clientSide: InMemoryTransport | undefined;
  private readonly pending = new Map<RequestId, (response: RelayResponse) => void>();
  private readonly listener: LegListener;
  private closed = false;

  constructor(serverId: string, listener: LegListener) {
    this.serverId = serverId;
    this.listener = listener;
  }

  get ready(): boolean {
    return this.relay !== undefined && this.failure === undefined;
  }

  /** Ids of requests sent and not answered yet, oldest first. */
  inflight(): IterableIterator<RequestId> {
    return this.pending.keys();
  }

  async open(options: LegOpenOptions): Promise<void> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    clientSide.onmessage = (message) => this.fromServer(message);
    clientSide.onclose = () => this.ended(`the session of server '${this.serverId}' closed`);
    await clientSide.start();
    try {
      this.relay = await options.hub.open({
        serverId: this.serverId,
        downstream: serverSide,
        transport: options.transport,
        clientLabel: options.clientLabel,
        sessionId: options.sessionId,
        profile: options.profile,
      });
    } catch (error) {
      this.failure = (error as Error).message;
      return;
    }
    this.clientSide = clientSide;
    if (this.closed) {
      await this.relay.close();
      return;
    }
    const answer = await this.request({ jsonrpc: '2.0', id: INIT_ID, method: 'initialize', params: options.initialize });
    if ('error' in answer) {
      this.failure = `server '${this.serverId}' refused initialize: ${answer.error.message}`;
      return;
    }
    this.capabilities = ((answer.result as { capabilities?: ServerCapabilities }).capabilities) ?? {};
    this.notify({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  /** Sends a request through the server's relay session; the answer comes back with the same id. */
  request(request: JSONRPCRequest): Promise<RelayResponse> {
    if (this.clientSide === undefined || this.failure !== undefined) {
      return Promise.resolve(errorResponse(request.id, ProxyErrorCode.ServerUnavailable, this.failure ?? `server '${this.serverId}' is not open in this session`, { server: this.serverId }));
    }
    const clientSide = this.clientSide;
    return new Promise<RelayResponse>((resolve) => {
      this.pending.set(request.id, resolve);
      clientSide.send(request).catch((error: Error) => {
        this.pending.delete(request.id);
        resolve(errorResponse(request.id, ProxyErrorCode.ServerUnavailable, `server '${this.serverId}' could not be reached: ${error.message}`, { server: this.serverId }));
      });
    });
  }

  /** Notifications and answers to the server's own requests. */
  notify(message: JSONRPCMessage): void {
    this.clientSide?.send(message).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.relay?.close();
  }

  get inflightCount(): number {
    return this.pending.size;
  }

  private fromServer(message: JSONRPCMessage): void {
    if ('method' in message) {
      this.listener(this, message as JSONRPCRequest | JSONRPCNotification);
      return;
    }
    const id = (message as RelayResponse).id as RequestId;
    const resolve = this.pending.get(id);
    if (!resolve) return;
    this.pending.delete(id);
    resolve(message as RelayResponse);
  }

  private ended(why: string): void {
    this.failure ??= why;
    for (const [id, resolve] of this.pending) resolve(errorResponse(id, ProxyErrorCode.ServerUnavailable, why, { server: this.serverId }));
    this.pending.clear();
  }
}
