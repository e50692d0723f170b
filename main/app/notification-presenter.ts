// Electron's Notification behind the NotificationPresenter port. Thin: main.ts passes the real
// Notification class; the approval logic lives in approval-notifier.ts.
import type { NoticeContent, NotificationPresenter } from './approval-notifier.ts';

export interface NotificationLike {
  show(): void;
  close(): void;
  on(event: 'click', listener: () => void): unknown;
  on(event: 'action', listener: (details: { actionIndex?: number }, actionIndex?: number) => void): unknown;
}

export interface NotificationClass {
  new (options: { title: string; body: string; silent: boolean; urgency: 'normal'; actions: Array<{ type: 'button'; text: string }> }): NotificationLike;
  isSupported(): boolean;
}

/** Buttons on notifications work on macOS and Windows; Linux notification servers vary, so none there. */
export function createNotificationPresenter(Notification: NotificationClass, platform: NodeJS.Platform): NotificationPresenter {
  return {
    supported: Notification.isSupported(),
    supportsActions: platform === 'darwin' || platform === 'win32',
    show(content: NoticeContent, on) {
      const notification = new Notification({
        title: content.title,
        body: content.body,
        silent: content.silent,
        urgency: content.urgency,
        actions: content.actions.map((text) => ({ type: 'button' as const, text })),
      });
      notification.on('click', () => on.click());
      notification.on('action', (details, index) => on.action(details?.actionIndex ?? index ?? -1));
      notification.show();
      return { close: () => notification.close() };
    },
  };
}
