// What the tray shows: daemon status and the number of pending approvals. The Tray itself is
// created in main.ts; this computes its tooltip, title and menu from the state.
export interface TrayState {
  readonly daemon: 'starting' | 'running' | 'failed';
  readonly pendingApprovals: number;
  readonly serversReady?: number;
  readonly serversTotal?: number;
  readonly error?: string;
}

export interface TrayMenuItem {
  readonly id: 'open' | 'approvals' | 'quit' | 'status';
  readonly label: string;
  readonly enabled: boolean;
}

export interface TrayView {
  readonly tooltip: string;
  /** Short text next to the icon (macOS menu bar). */
  readonly title: string;
  readonly menu: TrayMenuItem[];
}

export function trayView(state: TrayState): TrayView {
  const servers = state.serversTotal !== undefined ? ` · ${state.serversReady ?? 0}/${state.serversTotal} servers ready` : '';
  const status = state.daemon === 'running' ? `Running${servers}` : state.daemon === 'starting' ? 'Starting…' : `Failed: ${state.error ?? 'unknown error'}`;
  const pending = state.pendingApprovals;
  const pendingLabel = pending === 0 ? 'No pending approvals' : `${pending} pending approval${pending === 1 ? '' : 's'}`;
  return {
    tooltip: `MCP Switchboard — ${status}${pending > 0 ? ` — ${pendingLabel}` : ''}`,
    title: pending > 0 ? String(pending) : '',
    menu: [
      { id: 'status', label: status, enabled: false },
      { id: 'open', label: 'Open Switchboard', enabled: true },
      { id: 'approvals', label: pendingLabel, enabled: pending > 0 },
      { id: 'quit', label: 'Quit', enabled: true },
    ],
  };
}
