// How the client code reads and changes the app's config.json. The daemon owns the real config
// store; this interface lets it be injected, and JsonConfigFile is a small file-backed version for
// the CLI and tests (validated by ConfigSchema, written atomically).
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { ConfigSchema, type Config } from '../../shared/config.ts';

export interface ConfigAccess {
  read(): Promise<Config>;
  /** Applies `change` to the current config and saves it; resolves with the saved config. */
  update(change: (config: Config) => void): Promise<Config>;
}

export class JsonConfigFile implements ConfigAccess {
  private readonly path: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  async read(): Promise<Config> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ConfigSchema.parse({});
      throw error;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new Error(`${this.path}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    return ConfigSchema.parse(raw);
  }

  update(change: (config: Config) => void): Promise<Config> {
    const next = this.queue.then(async () => {
      const config = await this.read();
      change(config);
      const saved = ConfigSchema.parse(config);
      await mkdir(dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
      return saved;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Adapts the daemon's ConfigStore (sync load, serialized update) to ConfigAccess. */
export function configAccessFrom(store: { load(): Config; update(mutate: (config: Config) => Config | void): Promise<Config> }): ConfigAccess {
  return {
    read: async () => store.load(),
    update: (change) => store.update((config) => { change(config); }),
  };
}
