// An SLO alert from the daemon's event stream becomes one OS notification ("burning"), replaced by
// "recovered" when it clears; clicking opens the main window.
import { describe, expect, it } from 'vitest';
import type { NoticeContent, NotificationPresenter } from '../../../main/app/approval-notifier.ts';
import { SloNotifier } from '../../../main/app/slo-notifier.ts';

function presenter() {
  const shown: Array<{ content: NoticeContent; closed: boolean; click(): void }> = [];
  const port: NotificationPresenter = {
    supported: true,
    supportsActions: false,
    show(content, on) {
      const entry = { content, closed: false, click: on.click };
      shown.push(entry);
      return { close: () => { entry.closed = true; } };
    },
  };
  return { port, shown };
}

describe('SLO notifications', () => {
  it('shows a burning notice when an alert fires, and replaces it with recovered when it clears', () => {
    const { port, shown } = presenter();
    let opened = 0;
    const notifier = new SloNotifier({ presenter: port, open: () => { opened++; } });
    notifier.alert({ serverId: 'github', state: 'firing', kind: 'success', tool: null, message: "SLO alert: server 'github' is burning its success 99.00% error budget" });
    expect(shown).toHaveLength(1);
    expect(shown[0]!.content).toMatchObject({ title: 'SLO burning: github', urgency: 'normal', silent: false });
    expect(shown[0]!.content.body).toContain('burning');
    shown[0]!.click();
    expect(opened).toBe(1);

    notifier.alert({ serverId: 'github', state: 'cleared', kind: 'success', tool: null, message: "SLO alert cleared: server 'github'" });
    expect(shown[0]!.closed).toBe(true);
    expect(shown[1]!.content.title).toBe('SLO recovered: github');
  });

  it('shows nothing where notifications are not supported', () => {
    const { port, shown } = presenter();
    const notifier = new SloNotifier({ presenter: { ...port, supported: false }, open: () => {} });
    notifier.alert({ serverId: 'x', state: 'firing', message: 'm' });
    expect(shown).toHaveLength(0);
  });
});
