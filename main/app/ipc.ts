// Validated IPC main. One invoke channel carries every API call; before anything is dispatched
// the sender must be one of the windows the app created (WindowFactory → trust), the frame that
// sent it must be that window's main frame (not an iframe, even one showing an app:// page), and
// that frame must show an app:// page. A message from any other frame (an injected iframe, a page
// that navigated away, a destroyed frame) is answered `forbidden` and never reaches the dispatcher.
import type { ApiErrorBody, Caller } from '../../shared/api/define.ts';
import type { ApiEvent } from '../../shared/api/events.ts';
import type { DispatchResult } from '../api/dispatcher.ts';
import { isAppUrl } from './app-origin.ts';
import type { FramePort, IpcMainInvokeEventPort, IpcMainPort, WebContentsPort } from './ports.ts';

export const IPC_CALL_CHANNEL = 'switchboard:call';
export const IPC_EVENT_CHANNEL = 'switchboard:event';

export interface CallDispatcher {
  dispatch(method: string, input: unknown, caller: Caller): Promise<DispatchResult>;
}

export interface IpcBridgeDeps {
  readonly ipcMain: IpcMainPort;
  readonly dispatcher: CallDispatcher;
  readonly log?: (message: string) => void;
}

export class IpcBridge {
  private readonly deps: IpcBridgeDeps;
  private readonly trusted = new Map<number, WebContentsPort>();

  constructor(deps: IpcBridgeDeps) {
    this.deps = deps;
  }

  start(): void {
    this.deps.ipcMain.handle(IPC_CALL_CHANNEL, (event, method, input) => this.onCall(event, method, input));
  }

  stop(): void {
    this.deps.ipcMain.removeHandler(IPC_CALL_CHANNEL);
    this.trusted.clear();
  }

  /** Trusts a window's webContents; the returned function forgets it (call on 'closed'). */
  trust(contents: WebContentsPort): () => void {
    this.trusted.set(contents.id, contents);
    return () => {
      if (this.trusted.get(contents.id) === contents) this.trusted.delete(contents.id);
    };
  }

  /** Why a sender is refused, or null when it may call. */
  rejectionReason(event: IpcMainInvokeEventPort): string | null {
    if (!this.trusted.has(event.sender.id)) return `webContents ${event.sender.id} is not a Switchboard window`;
    const frame = event.senderFrame;
    if (!frame) return 'the sending frame is gone';
    if (!isMainFrame(frame, event.sender.mainFrame)) return `frame ${frame.url || '(no url)'} is not the window's main frame`;
    if (!isAppUrl(frame.url)) return `frame ${frame.url || '(no url)'} is not an app page`;
    return null;
  }

  async onCall(event: IpcMainInvokeEventPort, method: unknown, input: unknown): Promise<DispatchResult> {
    const reason = this.rejectionReason(event);
    if (reason !== null) {
      this.deps.log?.(`IPC call refused: ${reason}`);
      return { ok: false, error: { code: 'forbidden', message: `IPC call refused: ${reason}` } satisfies ApiErrorBody };
    }
    if (typeof method !== 'string') return { ok: false, error: { code: 'invalid_input', message: 'method must be a string' } };
    return this.deps.dispatcher.dispatch(method, input, { kind: 'ipc' });
  }

  /** Sends one event to every trusted window still alive. */
  broadcast(event: ApiEvent): void {
    for (const [id, contents] of this.trusted) {
      if (contents.isDestroyed()) {
        this.trusted.delete(id);
        continue;
      }
      contents.send(IPC_EVENT_CHANNEL, event);
    }
  }
}

/** The same frame as the window's top-level one: same renderer process, same frame token, no parent. */
function isMainFrame(frame: FramePort, mainFrame: FramePort): boolean {
  return frame.parent === null && frame.processId === mainFrame.processId && frame.frameToken === mainFrame.frameToken;
}
