// Web mode has no pop-up window: a pending approval raises a browser notification (when the
// user allowed them) that brings the Approvals page forward.
import type { EventPayload } from '../shared/api/events.ts';

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export async function enableNotifications(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) return 'unsupported';
  return Notification.requestPermission();
}

export function notifyApproval(approval: EventPayload<'approval.added'>): void {
  if (!notificationsSupported() || Notification.permission !== 'granted') return;
  const notification = new Notification('Approve tool call?', {
    body: `${approval.serverId ?? 'a server'} / ${approval.tool ?? 'a tool'} is waiting for your answer`,
    tag: `approval-${approval.id}`,
    requireInteraction: true,
  });
  notification.onclick = () => {
    window.focus();
    window.location.hash = '/approvals';
    notification.close();
  };
}
