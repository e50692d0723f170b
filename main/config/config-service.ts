// The daemon's configuration in memory, and the one event that says it changed. Every change,
// whether the daemon made it (API, "always allow", linking) or someone edited config.json (the
// CLI of another version, a text editor), reaches the listeners exactly once: the daemon's own
// writes are applied when they are written and recognised by their content when the folder
// watcher reports them, so they are neither parsed again nor announced twice.
import { createHash } from 'node:crypto';
import type { Config } from '../../shared/config.ts';
import type { Logger } from '../base/logger.ts';
import { parseConfig, type ConfigStore } from './config-store.ts';

export type ConfigListener = (next: Config, previous: Config) => void;

export class ConfigService {
  private readonly store: ConfigStore;
  private readonly logger: Logger;
  private readonly listeners = new Set<ConfigListener>();
  private current: Config | undefined;
  /** Hash of the file text `current` was read from or written as. */
  private currentHash = '';
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(store: ConfigStore, logger: Logger) {
    this.store = store;
    this.logger = logger;
  }

  get dataDir(): string {
    return this.store.dataDir;
  }

  /** Reads config.json for the first time; an invalid file throws (the daemon does not start). */
  load(): Config {
    this.store.ensureDataDir();
    const text = this.store.readText();
    this.current = text === undefined ? this.store.load() : parseConfig(text, this.store.file);
    this.currentHash = hashOf(text ?? '');
    return this.current;
  }

  get config(): Config {
    if (!this.current) throw new Error('configuration not loaded yet');
    return this.current;
  }

  onChange(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Read-modify-write, serialized. The mutator works on the configuration as it is on disk (an
   * edit made by hand since the last event is not lost) and may throw to abort; the result is
   * validated once, written atomically, and announced once.
   */
  update(mutate: (config: Config) => Config | void): Promise<Config> {
    const run = async (): Promise<Config> => {
      const base = this.onDisk();
      const draft = structuredClone(base);
      const { config, text } = await this.store.save(mutate(draft) ?? draft);
      this.apply(config, hashOf(text));
      return config;
    };
    const result = this.writeChain.then(run, run);
    this.writeChain = result.catch(() => undefined);
    return result;
  }

  /** Re-reads the file after an outside edit; an invalid file is logged and the last good configuration stays. */
  reload(): void {
    try {
      const text = this.store.readText() ?? '';
      const hash = hashOf(text);
      if (hash === this.currentHash) return;
      this.apply(text === '' ? this.store.load() : parseConfig(text, this.store.file), hash);
    } catch (error) {
      this.logger.error('config.json is invalid; keeping the last good configuration', { error: (error as Error).message });
    }
  }

  watch(): void {
    this.store.watch(() => this.reload());
  }

  unwatch(): void {
    this.store.unwatch();
  }

  private onDisk(): Config {
    const text = this.store.readText();
    const hash = hashOf(text ?? '');
    if (this.current && hash === this.currentHash) return this.current;
    return text === undefined ? this.store.load() : parseConfig(text, this.store.file);
  }

  private apply(next: Config, hash: string): void {
    const previous = this.current ?? next;
    this.current = next;
    this.currentHash = hash;
    for (const listener of [...this.listeners]) {
      try {
        listener(next, previous);
      } catch (error) {
        this.logger.error('a configuration listener failed', { error: (error as Error).message });
      }
    }
  }
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
