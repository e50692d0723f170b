// The preload: the renderer's only way to the daemon. It exposes ONE object,
// window.switchboard = { call(method, input), on(event, listener) }, and nothing of Electron or
// Node. Main validates every message's sender before dispatching (main/app/ipc.ts).
// Bundled to dist/preload/index.cjs (sandboxed preloads cannot load modules), so it imports
// nothing but electron; the channel names match main/app/ipc.ts (a unit test checks it).
import { contextBridge, ipcRenderer } from 'electron';
import type { DispatchResult, SwitchboardBridge } from './api.d.ts';

const CALL_CHANNEL = 'switchboard:call';
const EVENT_CHANNEL = 'switchboard:event';

const bridge: SwitchboardBridge = {
  call: (method: string, input: unknown): Promise<DispatchResult> => {
    if (typeof method !== 'string') return Promise.reject(new TypeError('method must be a string'));
    return ipcRenderer.invoke(CALL_CHANNEL, method, input) as Promise<DispatchResult>;
  },
  on: (event: string, listener: (data: unknown) => void): (() => void) => {
    const handler = (_event: unknown, message: { event?: unknown; data?: unknown } | null): void => {
      if (message?.event === event) listener(message.data);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('switchboard', bridge);
