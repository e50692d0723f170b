// Registry answers kept in the data folder (registry-cache/), so the catalog works offline: the
// last answer to the same question, with when it was fetched, is what an unreachable registry
// leaves us. Written atomically; a file that cannot be read is as good as none.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CachedAnswer<T> {
  readonly fetchedAt: string;
  readonly value: T;
}

export class RegistryCache {
  private readonly folder: string;

  constructor(dataDir: string) {
    this.folder = path.join(dataDir, 'registry-cache');
  }

  read<T>(key: string): CachedAnswer<T> | undefined {
    try {
      const stored = JSON.parse(readFileSync(this.file(key), 'utf8')) as { key?: unknown; fetchedAt?: unknown; value?: unknown };
      if (stored.key !== key || typeof stored.fetchedAt !== 'string') return undefined;
      return { fetchedAt: stored.fetchedAt, value: stored.value as T };
    } catch {
      return undefined;
    }
  }

  write<T>(key: string, value: T, fetchedAt = new Date().toISOString()): void {
    mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    const file = this.file(key);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ key, fetchedAt, value }), { mode: 0o600 });
    renameSync(temporary, file);
  }

  private file(key: string): string {
    return path.join(this.folder, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }
}
