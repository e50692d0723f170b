// Approval pop-ups, one at a time: pending approvals queue in arrival order and only the head
// has a window. When it is answered (here, in the main window or from the CLI) or times out,
// its window closes and the next one opens. Never two pop-ups stacked on each other.
export interface PendingApprovalRef {
  readonly id: string;
}

export interface PopupHandle {
  close(): void;
  /** Brings the pop-up to the front. */
  focus(): void;
  /** Called once when the window goes away (answered, or closed by the user). */
  onClosed(listener: () => void): void;
}

export interface ApprovalQueueDeps {
  /** Opens the pop-up window for one approval (route #/approval/<id>). */
  readonly openPopup: (approval: PendingApprovalRef) => PopupHandle;
}

export class ApprovalQueue {
  private readonly deps: ApprovalQueueDeps;
  private readonly queue: PendingApprovalRef[] = [];
  private current: { approval: PendingApprovalRef; popup: PopupHandle } | null = null;
  /** Pop-ups the user closed without answering: not reopened; the approval stays on the Approvals page. */
  private readonly dismissed = new Set<string>();

  constructor(deps: ApprovalQueueDeps) {
    this.deps = deps;
  }

  get showing(): string | null {
    return this.current?.approval.id ?? null;
  }

  get waiting(): string[] {
    return this.queue.map((a) => a.id);
  }

  /** Every approval still pending, including those whose pop-up the user closed without answering. */
  get pendingCount(): number {
    return this.queue.length + (this.current ? 1 : 0) + this.dismissed.size;
  }

  add(approval: PendingApprovalRef): void {
    if (this.current?.approval.id === approval.id || this.queue.some((a) => a.id === approval.id) || this.dismissed.has(approval.id)) return;
    this.queue.push(approval);
    this.showNext();
  }

  /** The approval was answered, timed out or withdrawn (wherever that happened). */
  resolve(id: string): void {
    const index = this.queue.findIndex((a) => a.id === id);
    if (index >= 0) this.queue.splice(index, 1);
    this.dismissed.delete(id);
    if (this.current?.approval.id === id) {
      const { popup } = this.current;
      this.current = null;
      popup.close();
      this.showNext();
    }
  }

  /**
   * Brings this approval's pop-up to the front (a notification was clicked): the one showing is
   * focused; another one, waiting or dismissed, takes the place of the one showing, which goes
   * back to the head of the queue.
   */
  focus(id: string): void {
    if (this.current?.approval.id === id) {
      this.current.popup.focus();
      return;
    }
    const index = this.queue.findIndex((a) => a.id === id);
    const approval = index >= 0 ? this.queue.splice(index, 1)[0]! : this.dismissed.has(id) ? { id } : undefined;
    if (!approval) return;
    this.dismissed.delete(id);
    const previous = this.current;
    this.current = null;
    if (previous) {
      this.queue.unshift(previous.approval);
      previous.popup.close();
    }
    this.queue.unshift(approval);
    this.showNext();
    this.showingPopup()?.focus();
  }

  /** Replaces the queue with what the broker says is pending (e.g. after the app starts). */
  sync(pending: readonly PendingApprovalRef[]): void {
    const ids = new Set(pending.map((a) => a.id));
    for (const id of [...this.waiting, ...this.dismissed, ...(this.current ? [this.current.approval.id] : [])]) if (!ids.has(id)) this.resolve(id);
    for (const approval of pending) this.add(approval);
  }

  closeAll(): void {
    this.queue.length = 0;
    this.dismissed.clear();
    const current = this.current;
    this.current = null;
    current?.popup.close();
  }

  private showingPopup(): PopupHandle | undefined {
    return this.current?.popup;
  }

  private showNext(): void {
    while (!this.current && this.queue.length > 0) {
      const approval = this.queue.shift()!;
      if (this.dismissed.has(approval.id)) continue;
      const popup = this.deps.openPopup(approval);
      const entry = { approval, popup };
      this.current = entry;
      popup.onClosed(() => {
        // Closed by the user without answering: keep it pending (the Approvals page still has it)
        // and move on; resolve() of an already-closed entry is a no-op.
        if (this.current === entry) {
          this.current = null;
          this.dismissed.add(approval.id);
          this.showNext();
        }
      });
    }
  }
}
