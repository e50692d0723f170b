// A minimal in-process relay for policy tests until they run against the real daemon:
// SDK Client ⇄ InMemoryTransport ⇄ interceptor chain ⇄ a real MCP server child (StdioClientTransport).
// Intercepted requests go through the chain; everything else is forwarded untouched.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  isJSONRPCErrorResponse, isJSONRPCNotification, isJSONRPCRequest, isJSONRPCResultResponse,
  type JSONRPCMessage, type JSONRPCRequest, type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallContext, Interceptor, RelayResponse, SessionInfo } from '../../main/relay/interceptor.ts';

const require = createRequire(import.meta.url);

/** Entry script of an MCP server package from npm (run with this Node). */
export function serverEntry(pkg: '@modelcontextprotocol/server-everything' | '@modelcontextprotocol/server-memory'): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'dist', 'index.js');
}

export interface HarnessOptions {
  readonly serverId: string;
  readonly command: string;
  readonly args: string[];
  readonly env?: Record<string, string>;
  readonly interceptors: readonly Interceptor[];
  readonly sessionId?: string;
}

export interface PolicyHarness {
  readonly client: Client;
  readonly session: SessionInfo;
  /** Every intercepted call's context, in order (decision, approver). */
  readonly contexts: CallContext[];
  close(): Promise<void>;
}

export async function startPolicyHarness(options: HarnessOptions): Promise<PolicyHarness> {
  const session: SessionInfo = { sessionId: options.sessionId ?? `session-${Math.random().toString(36).slice(2)}`, serverId: options.serverId, transport: 'socket', clientLabel: 'bridge' };
  const upstream = new StdioClientTransport({ command: options.command, args: options.args, env: { ...getDefaultEnvironment(), ...options.env }, stderr: 'ignore' });
  const [clientSide, relaySide] = InMemoryTransport.createLinkedPair();
  const waiting = new Map<RequestId, (response: RelayResponse) => void>();
  const inChain = new Map<RequestId, AbortController>();
  const contexts: CallContext[] = [];
  const intercepted = new Set(options.interceptors.flatMap((i) => [...i.methods]));

  const forward = (request: JSONRPCRequest) => new Promise<RelayResponse>((resolve) => {
    waiting.set(request.id, resolve);
    void upstream.send(request);
  });
  const run = (index: number, ctx: CallContext, request: JSONRPCRequest): Promise<RelayResponse> => {
    const interceptor = options.interceptors[index];
    if (!interceptor) return forward(request);
    if (!interceptor.methods.has(request.method)) return run(index + 1, ctx, request);
    return interceptor.handle(ctx, (next) => run(index + 1, ctx, next));
  };

  upstream.onmessage = (message: JSONRPCMessage) => {
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined && waiting.has(message.id)) {
      const resolve = waiting.get(message.id)!;
      waiting.delete(message.id);
      resolve(message as RelayResponse);
      return;
    }
    if (isJSONRPCNotification(message)) {
      let out: typeof message | null = message;
      for (const interceptor of options.interceptors) if (out && interceptor.onServerNotification) out = interceptor.onServerNotification(session, out);
      if (out) void relaySide.send(out);
      return;
    }
    void relaySide.send(message);
  };
  relaySide.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message) && intercepted.has(message.method)) {
      const controller = new AbortController();
      inChain.set(message.id, controller);
      const ctx: CallContext = { session, request: message, signal: controller.signal, startedAt: Date.now() };
      contexts.push(ctx);
      void run(0, ctx, message).then((response) => {
        inChain.delete(message.id);
        if (!controller.signal.aborted) void relaySide.send(response);
      });
      return;
    }
    if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (id !== undefined) inChain.get(id)?.abort();
    }
    void upstream.send(message);
  };

  await upstream.start();
  await relaySide.start();
  const client = new Client({ name: 'policy-test-client', version: '1.0.0' });
  await client.connect(clientSide);
  session.client = { name: 'policy-test-client', version: '1.0.0' };

  return {
    client,
    session,
    contexts,
    async close() {
      for (const controller of inChain.values()) controller.abort();
      for (const interceptor of options.interceptors) interceptor.onSessionClosed?.(session);
      await client.close().catch(() => undefined);
      await upstream.close().catch(() => undefined);
    },
  };
}
