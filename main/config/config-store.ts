// config.json in the data folder: zod-validated on every load, written atomically with mode
// 0600, never overwritten when invalid (the error names the file and the field path).
import { mkdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { ZodError } from 'zod';
import { ConfigSchema, type Config } from '../../shared/config.ts';
import { formatZodIssues } from '../base/zod-issues.ts';

export class ConfigError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.file = file;
  }
}

export class ConfigStore {
  readonly dataDir: string;
  readonly file: string;
  private watcher: FSWatcher | undefined;
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.file = join(dataDir, 'config.json');
  }

  /** Creates the data folder (0700) if missing. */
  ensureDataDir(): void {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
  }

  /** Reads and validates config.json; a missing file is the default config. Throws ConfigError. */
  load(): Config {
    const text = this.readText();
    return text === undefined ? ConfigSchema.parse({}) : parseConfig(text, this.file);
  }

  /** The file as it is on disk; undefined when there is none. Throws ConfigError. */
  readText(): string | undefined {
    try {
      return readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ConfigError(this.file, `cannot read ${this.file}: ${(error as Error).message}`);
    }
  }

  /** Validates and writes the whole config atomically (0600); resolves with what was written. */
  async save(config: Config): Promise<{ config: Config; text: string }> {
    const valid = ConfigSchema.safeParse(config);
    if (!valid.success) throw new ConfigError(this.file, describeIssues('config.json', valid.error.issues));
    this.ensureDataDir();
    const text = `${JSON.stringify(valid.data, null, 2)}\n`;
    await writeFileAtomic(this.file, text, { mode: 0o600 });
    await chmod(this.file, 0o600).catch(() => undefined);
    return { config: valid.data, text };
  }

  /**
   * Read-modify-write, serialized within this process. The mutator may throw to abort;
   * an invalid file on disk aborts too (it is never overwritten).
   */
  update(mutate: (config: Config) => Config | void): Promise<Config> {
    const run = async (): Promise<Config> => {
      const draft = structuredClone(this.load());
      return (await this.save(mutate(draft) ?? draft)).config;
    };
    const result = this.writeChain.then(run, run);
    this.writeChain = result.catch(() => undefined);
    return result;
  }

  /** Calls `onChange` (debounced) when config.json changes on disk, e.g. from the CLI. */
  watch(onChange: () => void, debounceMs = 100): void {
    this.ensureDataDir();
    let timer: NodeJS.Timeout | undefined;
    // Watch the folder: atomic writes replace the file (rename), which a file watch would lose.
    this.watcher = watch(this.dataDir, { persistent: false }, (_event, name) => {
      if (name !== null && name !== 'config.json') return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    this.watcher.on('error', () => undefined);
  }

  unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

export function parseConfig(text: string, file = 'config.json'): Config {
  const name = file.split(/[\\/]/).pop() ?? file;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, `${name}: not valid JSON (${(error as Error).message}); fix or remove ${file}`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, `${describeIssues(name, parsed.error.issues)} (in ${file}; fix the file, it was not changed)`);
  return parsed.data;
}

function describeIssues(name: string, issues: ZodError['issues']): string {
  return formatZodIssues({ issues }, { prefix: name });
}
