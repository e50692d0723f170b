// Calls that policy says to `ask` about wait here for the user's answer. Identical pending calls
// (same session, server, tool, canonical arguments) share one prompt; waiting never blocks other
// sessions; a call whose client cancels withdraws its approval; no answer in time means deny.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../base/canonical-json.ts';

export const APPROVAL_ANSWERS = ['deny', 'allow-once', 'allow-session', 'always-allow'] as const;
export type ApprovalAnswer = (typeof APPROVAL_ANSWERS)[number];
export type ApprovalKind = 'policy' | 'pinning';

export interface ToolDefinitionChange {
  readonly old: unknown;
  readonly new: unknown;
}

export interface ApprovalRequest {
  readonly kind: ApprovalKind;
  readonly sessionId: string;
  readonly client?: { name: string; version: string };
  readonly clientLabel: string;
  readonly serverId: string;
  /** Tool or prompt name, or resource URI. */
  readonly tool: string;
  /** What `tool` names: a tool (tools/call), a prompt (prompts/get) or a resource URI (resources/read). */
  readonly target?: 'tool' | 'prompt' | 'resource';
  readonly arguments: unknown;
  /** e.g. "managed: ask mem/delete_*" (rule label) */
  readonly rule: string;
  readonly source: string;
  readonly reason?: string;
  readonly change?: ToolDefinitionChange;
  /** Which answers the user gets (deny is always allowed). */
  readonly choices: readonly ApprovalAnswer[];
  readonly signal?: AbortSignal;
}

export interface PendingApproval extends Omit<ApprovalRequest, 'signal' | 'choices'> {
  readonly choices: ApprovalAnswer[];
  readonly id: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface ResolvedApproval extends PendingApproval {
  readonly resolvedAt: string;
  readonly answer: ApprovalAnswer | 'timeout' | 'withdrawn';
  readonly by: string;
}

export interface ApprovalOutcome {
  readonly approved: boolean;
  readonly answer: ResolvedApproval['answer'] | 'unattended';
  /** Why nobody could be asked (set with answer "unattended"). */
  readonly why?: string;
  /** For CallContext.approver: "user:allow-once", "user:session", "user:always", "user:deny", "timeout", "withdrawn". */
  readonly approver: string;
}

export interface ApprovalBrokerDeps {
  /** Read per request so a policy change applies to the next prompt. */
  readonly timeoutMs: () => number;
  /** "always allow": the caller adds a user rule (policy) or accepts the new definition (pinning). */
  readonly onAlwaysAllow?: (approval: PendingApproval) => void | Promise<void>;
  readonly now?: () => number;
  readonly historyLimit?: number;
  /**
   * Set where nobody can answer a prompt (the CLI's own in-process daemon): every request is
   * refused at once with this reason instead of waiting for the timeout.
   */
  readonly unattended?: string;
}

export type BrokerEvents = {
  added: [PendingApproval];
  resolved: [ResolvedApproval];
};

export class ApprovalNotFoundError extends Error {}
export class ApprovalAnswerNotAllowedError extends Error {}

interface Entry {
  readonly approval: PendingApproval;
  readonly key: string;
  readonly waiters: Set<(outcome: ApprovalOutcome) => void>;
  readonly timer: NodeJS.Timeout;
}

const APPROVER: Record<ResolvedApproval['answer'], string> = {
  'allow-once': 'user:allow-once',
  'allow-session': 'user:session',
  'always-allow': 'user:always',
  deny: 'user:deny',
  timeout: 'timeout',
  withdrawn: 'withdrawn',
};

export class ApprovalBroker {
  readonly events = new EventEmitter<BrokerEvents>();
  private readonly deps: ApprovalBrokerDeps;
  private readonly pending = new Map<string, Entry>();
  private readonly byKey = new Map<string, Entry>();
  private readonly sessionAllows = new Set<string>();
  private readonly resolved: ResolvedApproval[] = [];

  constructor(deps: ApprovalBrokerDeps) {
    this.deps = deps;
  }

  /** True when the user chose "allow for this session" for this kind, server and tool. */
  isSessionAllowed(kind: ApprovalKind, sessionId: string, serverId: string, tool: string): boolean {
    return this.sessionAllows.has(sessionKey(kind, sessionId, serverId, tool));
  }

  request(request: ApprovalRequest): Promise<ApprovalOutcome> {
    if (this.deps.unattended !== undefined) return Promise.resolve({ approved: false, answer: 'unattended', approver: 'unattended', why: this.deps.unattended });
    if (request.signal?.aborted) return Promise.resolve({ approved: false, answer: 'withdrawn', approver: APPROVER.withdrawn });
    const key = [request.kind, request.sessionId, request.serverId, request.tool, canonicalJson(request.arguments ?? {})].join('\u0000');
    let entry = this.byKey.get(key);
    if (!entry) entry = this.open(request, key);
    const shared = entry;
    return new Promise<ApprovalOutcome>((resolve) => {
      const waiter = (outcome: ApprovalOutcome) => {
        request.signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = () => {
        shared.waiters.delete(waiter);
        resolve({ approved: false, answer: 'withdrawn', approver: APPROVER.withdrawn });
        if (shared.waiters.size === 0) this.finish(shared, 'withdrawn', 'client cancelled');
      };
      shared.waiters.add(waiter);
      request.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  list(): PendingApproval[] {
    return [...this.pending.values()].map((e) => e.approval);
  }

  get(id: string): PendingApproval | undefined {
    return this.pending.get(id)?.approval;
  }

  history(limit = 100): ResolvedApproval[] {
    return this.resolved.slice(-limit).reverse();
  }

  /** Answer a pending approval; `by` says who ("ui", "cli"). */
  async answer(id: string, answer: ApprovalAnswer, by: string): Promise<ResolvedApproval> {
    const entry = this.pending.get(id);
    if (!entry) throw new ApprovalNotFoundError(`no pending approval "${id}" (already answered, timed out or withdrawn)`);
    if (answer !== 'deny' && !entry.approval.choices.includes(answer)) {
      throw new ApprovalAnswerNotAllowedError(`"${answer}" is not offered for this approval (choices: ${entry.approval.choices.join(', ')})`);
    }
    const { approval } = entry;
    if (answer === 'allow-session') this.sessionAllows.add(sessionKey(approval.kind, approval.sessionId, approval.serverId, approval.tool));
    if (answer === 'always-allow') await this.deps.onAlwaysAllow?.(approval);
    return this.finish(entry, answer, by);
  }

  /** The session ended: its pending approvals are withdrawn and its "allow for this session" answers forgotten. */
  closeSession(sessionId: string): void {
    for (const entry of [...this.pending.values()]) if (entry.approval.sessionId === sessionId) this.finish(entry, 'withdrawn', 'session closed');
    for (const key of [...this.sessionAllows]) if (key.split('\u0000')[1] === sessionId) this.sessionAllows.delete(key);
  }

  dispose(): void {
    for (const entry of [...this.pending.values()]) this.finish(entry, 'withdrawn', 'shutting down');
  }

  private open(request: ApprovalRequest, key: string): Entry {
    const now = this.deps.now?.() ?? Date.now();
    const timeoutMs = this.deps.timeoutMs();
    const { signal: _signal, ...rest } = request;
    const approval: PendingApproval = {
      ...rest,
      choices: [...new Set<ApprovalAnswer>(['deny', ...request.choices])],
      id: randomUUID(),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + timeoutMs).toISOString(),
    };
    const timer = setTimeout(() => this.finish(entry, 'timeout', 'timeout'), timeoutMs);
    const entry: Entry = { approval, key, waiters: new Set(), timer };
    this.pending.set(approval.id, entry);
    this.byKey.set(key, entry);
    this.events.emit('added', approval);
    return entry;
  }

  private finish(entry: Entry, answer: ResolvedApproval['answer'], by: string): ResolvedApproval {
    clearTimeout(entry.timer);
    this.pending.delete(entry.approval.id);
    if (this.byKey.get(entry.key) === entry) this.byKey.delete(entry.key);
    const resolved: ResolvedApproval = { ...entry.approval, answer, by, resolvedAt: new Date(this.deps.now?.() ?? Date.now()).toISOString() };
    this.resolved.push(resolved);
    const limit = this.deps.historyLimit ?? 500;
    if (this.resolved.length > limit) this.resolved.splice(0, this.resolved.length - limit);
    const outcome: ApprovalOutcome = { approved: answer === 'allow-once' || answer === 'allow-session' || answer === 'always-allow', answer, approver: APPROVER[answer] };
    for (const waiter of [...entry.waiters]) waiter(outcome);
    entry.waiters.clear();
    this.events.emit('resolved', resolved);
    return resolved;
  }
}

function sessionKey(kind: ApprovalKind, sessionId: string, serverId: string, tool: string): string {
  return [kind, sessionId, serverId, tool].join('\u0000');
}
