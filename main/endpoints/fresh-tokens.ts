// The client tokens as config.json holds them right now. The daemon applies config.json when its
// watcher fires (debounced), so a token that `switchboard token create` or a link wrote a moment
// ago may not be in force yet; the HTTP endpoint asks here when a bearer token matches nothing, so
// the token works as soon as the command that created it returned. A stat decides whether the file
// changed since it was last read: a client retrying with a dead token costs a stat, not a parse.
import { statSync } from 'node:fs';
import type { ClientToken } from '../../shared/config.ts';
import { ConfigStore } from '../config/config-store.ts';

export type FreshTokens = () => readonly ClientToken[] | undefined;

export function tokensOnDisk(dataDir: string): FreshTokens {
  const store = new ConfigStore(dataDir);
  let cached: { key: string; tokens: readonly ClientToken[] } | undefined;
  return () => {
    let key: string;
    try {
      const info = statSync(store.file, { bigint: true });
      key = `${info.ino}:${info.size}:${info.mtimeNs}`;
    } catch {
      return undefined;
    }
    if (cached?.key === key) return cached.tokens;
    try {
      cached = { key, tokens: store.load().tokens };
    } catch {
      // An invalid file is not in force (the daemon keeps its last good configuration).
      return undefined;
    }
    return cached.tokens;
  };
}
