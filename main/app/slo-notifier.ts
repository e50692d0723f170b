// One OS notification per SLO burn-rate alert (the daemon's `slo.alert` event): "burning" when it
// fires, replaced by "recovered" when it clears. Clicking it opens the main window (the Health
// page shows the figures). Normal urgency and no custom sound, as for approvals: "do not
// disturb" is the OS's to enforce.
import type { NoticeHandle, NotificationPresenter } from './approval-notifier.ts';

export interface SloAlertSource {
  readonly serverId: string;
  readonly state: 'firing' | 'cleared';
  readonly message: string;
  readonly kind?: string;
  readonly tool?: string | null;
}

export interface SloNotifierDeps {
  readonly presenter: NotificationPresenter;
  readonly open: () => void;
}

const MAX_BODY = 240;

export class SloNotifier {
  private readonly deps: SloNotifierDeps;
  private readonly shown = new Map<string, NoticeHandle>();

  constructor(deps: SloNotifierDeps) {
    this.deps = deps;
  }

  alert(alert: SloAlertSource): void {
    if (!this.deps.presenter.supported) return;
    const key = JSON.stringify([alert.serverId, alert.tool ?? null, alert.kind ?? null]);
    this.shown.get(key)?.close();
    this.shown.delete(key);
    const title = alert.state === 'firing' ? `SLO burning: ${alert.serverId}` : `SLO recovered: ${alert.serverId}`;
    const body = alert.message.length > MAX_BODY ? `${alert.message.slice(0, MAX_BODY - 1)}…` : alert.message;
    const handle = this.deps.presenter.show({ title, body, actions: [], urgency: 'normal', silent: false }, { click: () => this.deps.open(), action: () => this.deps.open() });
    if (alert.state === 'firing') this.shown.set(key, handle);
  }

  closeAll(): void {
    for (const handle of this.shown.values()) handle.close();
    this.shown.clear();
  }
}
