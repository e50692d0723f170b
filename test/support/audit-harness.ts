// Reusable pieces for audit tests: realistic CallContexts, a stand-in upstream for `next`, and
// the audit store + interceptor + outbox wired on a real SQLite file in a data folder.
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { CaptureMode } from '../../shared/audit.ts';
import type { CallContext, Decision, Next, RelayResponse, SessionInfo } from '../../main/relay/interceptor.ts';
import { AuditInterceptor } from '../../main/audit/audit-interceptor.ts';
import { AuditOutbox } from '../../main/audit/audit-outbox.ts';
import { AuditQueries } from '../../main/audit/audit-queries.ts';
import { AuditStore } from '../../main/audit/store.ts';
import { auditDbPath } from '../../main/audit/database.ts';
import { loadDeviceIdentity, type DeviceIdentity } from '../../main/audit/device-identity.ts';

export interface AuditHarness {
  readonly store: AuditStore;
  readonly interceptor: AuditInterceptor;
  readonly outbox: AuditOutbox;
  readonly queries: AuditQueries;
  readonly identity: DeviceIdentity;
  close(): void;
}

export function createAuditHarness(dataDir: string, captureMode: CaptureMode = 'redacted'): AuditHarness {
  const store = new AuditStore(auditDbPath(dataDir));
  store.recoverInterrupted();
  const identity = loadDeviceIdentity(dataDir);
  const interceptor = new AuditInterceptor({ store, identity, captureMode: () => captureMode });
  // Readers see every committed row, as in the daemon (main/switchboard.ts).
  const settled = { beforeRead: () => void store.settle() };
  return {
    store,
    interceptor,
    outbox: new AuditOutbox(store.db, settled),
    queries: new AuditQueries(store.db, settled),
    identity,
    close: () => store.close(),
  };
}

let nextSession = 0;

export function makeSession(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    sessionId: `session-${++nextSession}`,
    serverId: 'github',
    transport: 'socket',
    clientLabel: 'bridge',
    client: { name: 'claude-desktop', version: '0.9.2' },
    ...overrides,
  };
}

export interface CallOptions {
  readonly method?: 'tools/call' | 'resources/read' | 'prompts/get';
  readonly name?: string;
  readonly uri?: string;
  readonly arguments?: Record<string, unknown>;
  readonly decision?: Decision;
  readonly approver?: string;
  readonly signal?: AbortSignal;
}

export function makeCallContext(session: SessionInfo, id: number | string, options: CallOptions = {}): CallContext {
  const method = options.method ?? 'tools/call';
  const params: Record<string, unknown> = method === 'resources/read'
    ? { uri: options.uri ?? 'file:///tmp/readme.md' }
    : { name: options.name ?? 'create_issue', arguments: options.arguments ?? { repo: 'acme/app', title: `issue ${id}` } };
  const request: JSONRPCRequest = { jsonrpc: '2.0', id, method, params };
  const ctx: CallContext = {
    session,
    request,
    signal: options.signal ?? new AbortController().signal,
    startedAt: Date.now(),
    bytesIn: JSON.stringify(request).length,
  };
  if (options.decision) ctx.decision = options.decision;
  if (options.approver) ctx.approver = options.approver;
  return ctx;
}

/** A stand-in upstream: answers a tool result (or what `answer` returns). */
export function fakeUpstream(answer?: (request: JSONRPCRequest) => RelayResponse): Next {
  return async (request) => {
    await Promise.resolve();
    const response = answer ? answer(request) : { jsonrpc: '2.0' as const, id: request.id, result: { content: [{ type: 'text', text: 'done' }] } };
    return response;
  };
}

/** Runs `count` calls through the interceptor, `concurrency` at a time; returns the responses. */
export async function driveCalls(interceptor: AuditInterceptor, count: number, options: { concurrency?: number; session?: SessionInfo; call?: (i: number) => CallOptions } = {}): Promise<RelayResponse[]> {
  const session = options.session ?? makeSession();
  const concurrency = options.concurrency ?? 16;
  const responses: RelayResponse[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const ctx = makeCallContext(session, i + 1, options.call?.(i) ?? {});
      responses[i] = await interceptor.handle(ctx, fakeUpstream());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return responses;
}
