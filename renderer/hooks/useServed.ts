// Which API methods this daemon serves (from app.info), so a page can say "not available"
// instead of failing when a domain is missing.
import { createContext, useContext } from 'react';

export interface AppInfoState {
  readonly version: string;
  readonly dataDir: string;
  readonly mode: 'desktop' | 'headless';
  /** null when unknown (app.info failed): pages then try and handle not_found themselves. */
  readonly methods: ReadonlySet<string> | null;
  readonly startAtLogin?: boolean;
  /** The policy source that decides startAtLogin, when one does. */
  readonly startAtLoginLockedBy?: string;
}

export const AppInfoContext = createContext<AppInfoState | null>(null);

export function useAppInfo(): AppInfoState | null {
  return useContext(AppInfoContext);
}

/** True when the daemon serves every one of these methods (or when that is unknown). */
export function useServed(...methods: string[]): boolean {
  const info = useContext(AppInfoContext);
  if (!info?.methods) return true;
  return methods.every((m) => info.methods!.has(m));
}
