import { describe, expect, it } from 'vitest';
import { createNotificationPresenter, type NotificationLike } from '../../../main/app/notification-presenter.ts';

class FakeNotification implements NotificationLike {
  static made: FakeNotification[] = [];
  static isSupported(): boolean { return true; }
  readonly listeners = new Map<string, (...args: any[]) => void>();
  shown = false;
  closed = false;
  readonly options: unknown;
  constructor(options: unknown) { this.options = options; FakeNotification.made.push(this); }
  show(): void { this.shown = true; }
  close(): void { this.closed = true; }
  on(event: string, listener: (...args: any[]) => void): this { this.listeners.set(event, listener); return this; }
}

describe('Electron notifications behind the presenter', () => {
  it('shows buttons as Electron actions and reports a press by its index; close closes it', () => {
    const presenter = createNotificationPresenter(FakeNotification, 'darwin');
    expect(presenter.supportsActions).toBe(true);
    const pressed: number[] = [];
    let clicked = 0;
    const handle = presenter.show({ title: 't', body: 'b', actions: ['Deny', 'Allow once'], urgency: 'normal', silent: false }, { click: () => clicked++, action: (i) => pressed.push(i) });
    const made = FakeNotification.made.at(-1)!;
    expect(made.options).toEqual({ title: 't', body: 'b', silent: false, urgency: 'normal', actions: [{ type: 'button', text: 'Deny' }, { type: 'button', text: 'Allow once' }] });
    expect(made.shown).toBe(true);
    made.listeners.get('action')!({ actionIndex: 1 }, 1);
    made.listeners.get('click')!();
    expect(pressed).toEqual([1]);
    expect(clicked).toBe(1);
    handle.close();
    expect(made.closed).toBe(true);
  });

  it('offers no buttons on Linux', () => {
    expect(createNotificationPresenter(FakeNotification, 'linux').supportsActions).toBe(false);
    expect(createNotificationPresenter(FakeNotification, 'win32').supportsActions).toBe(true);
  });
});
