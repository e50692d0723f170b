// The daemon's own calls to a server (the UI's "try a tool", the CLI) made as a client like any
// other: an SDK client joined by an in-memory transport pair to a relay session, so they pass
// the same admission and interceptor chain (policy, approvals, pinning, audit) as a client's
// call, and are audited under their own client name.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { RelayHub } from './relay-hub.ts';

export interface InProcessCaller {
  /** clientInfo.name the audit records, e.g. "switchboard-ui", "switchboard-cli". */
  readonly clientName: string;
  readonly clientVersion: string;
  /** The session's label (as a token name is for HTTP sessions), e.g. "ui", "cli". */
  readonly label: string;
}

const MAX_PAGES = 100;

export class InProcessClient {
  private readonly hub: RelayHub;
  private readonly caller: InProcessCaller;

  constructor(hub: RelayHub, caller: InProcessCaller) {
    this.hub = hub;
    this.caller = caller;
  }

  /** One session per call: it is opened, used and closed, so nothing stays running for the caller. */
  async withSession<T>(serverId: string, use: (client: Client) => Promise<T>): Promise<T> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const relay = await this.hub.open({ serverId, downstream: serverSide, transport: 'in-process', clientLabel: this.caller.label });
    const client = new Client({ name: this.caller.clientName, version: this.caller.clientVersion }, { capabilities: {} });
    try {
      await client.connect(clientSide);
      return await use(client);
    } finally {
      await client.close().catch(() => undefined);
      await relay.close().catch(() => undefined);
    }
  }

  callTool(serverId: string, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return this.withSession(serverId, async (client) => (await client.callTool({ name, arguments: args })) as CallToolResult);
  }

  /** Every page of tools/list, as the policy chain serves it (denied tools hidden, pinned definitions). */
  listTools(serverId: string): Promise<Tool[]> {
    return this.withSession(serverId, async (client) => {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await client.listTools(cursor ? { cursor } : {});
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return tools;
    });
  }
}
