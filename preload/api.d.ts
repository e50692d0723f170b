// The type of the object the preload exposes as window.switchboard. The renderer codes against
// this (and shared/), never against Electron.
import type { ApiErrorBody } from '../shared/api/define.ts';

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

export interface SwitchboardBridge {
  /** One API call (method from shared/api/contract.ts); never rejects for API errors, returns them. */
  call(method: string, input: unknown): Promise<DispatchResult>;
  /** Subscribes to one event (names in shared/api/events.ts); returns the unsubscribe function. */
  on(event: string, listener: (data: unknown) => void): () => void;
}

declare global {
  interface Window {
    /** Present in the desktop app; absent in web mode (the UI then uses /api over loopback). */
    readonly switchboard?: SwitchboardBridge;
  }
}
