// One OS notification per pending approval, so an approval reaches the user when the app's
// windows are hidden or on another desktop. It names the tool, server, client and rule; clicking
// it brings the approval's pop-up to the front; where the OS supports notification actions
// (macOS, Windows) "Deny" and "Allow once" answer it right there. It closes when the approval is
// answered anywhere else, times out or is withdrawn.
//
// "Do not disturb" is the OS's to enforce: notifications go out at normal urgency (never
// `critical`, which Linux desktops show through do-not-disturb) and without a custom sound. The
// pop-up opens either way (ApprovalQueue), so a silenced notification never hides an approval.
import type { ApprovalAnswerValue } from '../../shared/api/approvals.ts';

/** What the notifier reads from an `approval.added` event (the broker's pending approval). */
export interface ApprovalNoticeSource {
  readonly id: string;
  readonly kind?: string;
  readonly tool?: string;
  readonly serverId?: string;
  readonly clientLabel?: string;
  readonly rule?: string;
  readonly choices?: readonly string[];
}

export interface NoticeContent {
  readonly title: string;
  readonly body: string;
  /** Button labels, in order; the presenter reports a press by its index. */
  readonly actions: readonly string[];
  readonly urgency: 'normal';
  readonly silent: false;
}

export interface NoticeHandle {
  close(): void;
}

/** Electron's Notification behind a narrow port (main.ts); fakes in tests. */
export interface NotificationPresenter {
  /** Notification.isSupported(). */
  readonly supported: boolean;
  /** Whether buttons on a notification work here (macOS, Windows). */
  readonly supportsActions: boolean;
  show(content: NoticeContent, on: { click(): void; action(index: number): void }): NoticeHandle;
}

export interface ApprovalNotifierDeps {
  readonly presenter: NotificationPresenter;
  /** Answers through the same API as the pop-up (approvals.answer); rejects or returns false when refused. */
  readonly answer: (id: string, answer: ApprovalAnswerValue) => Promise<boolean>;
  /** Brings the approval's pop-up to the front (opening it when it is not showing). */
  readonly focus: (id: string) => void;
  readonly log?: (message: string) => void;
}

const MAX_FIELD = 120;

export class ApprovalNotifier {
  private readonly deps: ApprovalNotifierDeps;
  private readonly shown = new Map<string, { handle: NoticeHandle; answers: ApprovalAnswerValue[] }>();

  constructor(deps: ApprovalNotifierDeps) {
    this.deps = deps;
  }

  /** Ids of the approvals with a notification out. */
  get showing(): string[] {
    return [...this.shown.keys()];
  }

  /** A pending approval: one notification, however often the same approval is announced. */
  added(approval: ApprovalNoticeSource): void {
    if (!this.deps.presenter.supported || this.shown.has(approval.id)) return;
    const answers: ApprovalAnswerValue[] = [];
    const labels: string[] = [];
    if (this.deps.presenter.supportsActions) {
      answers.push('deny');
      labels.push('Deny');
      if (approval.choices === undefined || approval.choices.includes('allow-once')) {
        answers.push('allow-once');
        labels.push('Allow once');
      }
    }
    const content = noticeContent(approval, labels);
    try {
      const handle = this.deps.presenter.show(content, {
        click: () => this.deps.focus(approval.id),
        action: (index) => void this.onAction(approval.id, index),
      });
      this.shown.set(approval.id, { handle, answers });
    } catch (error) {
      this.deps.log?.(`could not show a notification for approval ${approval.id}: ${String(error)}`);
    }
  }

  /** Answered (here or anywhere), timed out or withdrawn: its notification goes away. */
  resolved(id: string): void {
    const entry = this.shown.get(id);
    if (!entry) return;
    this.shown.delete(id);
    entry.handle.close();
  }

  /** Keeps notifications only for the approvals the broker still has pending. */
  sync(pendingIds: readonly string[]): void {
    const pending = new Set(pendingIds);
    for (const id of this.showing) if (!pending.has(id)) this.resolved(id);
  }

  closeAll(): void {
    for (const id of this.showing) this.resolved(id);
  }

  private async onAction(id: string, index: number): Promise<void> {
    const answer = this.shown.get(id)?.answers[index];
    if (!answer) {
      this.deps.focus(id);
      return;
    }
    let answered = false;
    try {
      answered = await this.deps.answer(id, answer);
    } catch (error) {
      this.deps.log?.(`answering approval ${id} from its notification failed: ${String(error)}`);
    }
    // Refused (already answered elsewhere, or no longer offered): show the pop-up so the user sees where it stands.
    if (!answered) this.deps.focus(id);
  }
}

export function noticeContent(approval: ApprovalNoticeSource, actions: readonly string[]): NoticeContent {
  const tool = plain(approval.tool ?? 'a tool');
  const server = plain(approval.serverId ?? 'a server');
  const client = plain(approval.clientLabel ?? 'A client');
  const rule = plain(approval.rule ?? 'policy');
  const changed = approval.kind === 'pinning';
  return {
    title: changed ? `Changed tool: ${tool} on ${server}` : `Approve ${tool} on ${server}?`,
    body: changed
      ? `${client} calls ${tool} on ${server}, whose definition changed since it was approved.\nRule: ${rule}`
      : `${client} wants to call ${tool} on ${server}.\nRule: ${rule}`,
    actions,
    urgency: 'normal',
    silent: false,
  };
}

/** Names come from servers and clients: one line, no control characters, bounded. */
function plain(value: string): string {
  const line = value.replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ').trim();
  return line.length > MAX_FIELD ? `${line.slice(0, MAX_FIELD - 1)}…` : line;
}
