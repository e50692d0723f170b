import type { ClientAdapter } from '../adapter.ts';
import { claudeCodeAdapter } from './claude-code.ts';
import { claudeDesktopAdapter } from './claude-desktop.ts';
import { cursorAdapter } from './cursor.ts';
import { vscodeAdapter } from './vscode.ts';
import { windsurfAdapter } from './windsurf.ts';

export const CLIENT_ADAPTERS: readonly ClientAdapter[] = [claudeDesktopAdapter, cursorAdapter, vscodeAdapter, windsurfAdapter, claudeCodeAdapter];

export function adapterFor(id: string): ClientAdapter {
  const adapter = CLIENT_ADAPTERS.find((a) => a.id === id);
  if (!adapter) throw new Error(`unknown client "${id}": use one of ${CLIENT_ADAPTERS.map((a) => a.id).join(', ')}`);
  return adapter;
}

