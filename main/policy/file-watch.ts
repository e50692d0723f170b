// Notices changes to one file soon after they happen: fs.watch on the file (writes in place) and
// on its folder (the file created, removed, or replaced by a rename, as atomic writers and
// configuration management tools do). Events come in bursts and some platforms drop or merge them,
// so they are debounced and only say "look again"; the caller compares the file itself and keeps
// a slow poll as the fallback for file systems where watching does not work (network shares,
// a folder that does not exist yet).
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface FileWatcherDeps {
  readonly file: string;
  readonly onChange: () => void;
  readonly debounceMs?: number;
  /** node:fs watch; injectable for tests of the failure paths. */
  readonly watch?: typeof watch;
}

export class FileWatcher {
  private readonly deps: FileWatcherDeps;
  private folderWatcher: FSWatcher | undefined;
  private fileWatcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(deps: FileWatcherDeps) {
    this.deps = deps;
  }

  /** Sets up whichever watchers are missing (call again from the poll: the folder may appear later). */
  ensure(): void {
    if (this.closed) return;
    const folder = path.dirname(this.deps.file);
    const name = path.basename(this.deps.file);
    if (!this.folderWatcher) {
      this.folderWatcher = this.open(folder, (filename) => {
        if (filename !== null && filename !== name) return;
        // The file may have been replaced: watch the new one.
        this.closeFileWatcher();
        this.openFileWatcher();
        this.changed();
      }, () => { this.folderWatcher = undefined; });
    }
    if (!this.fileWatcher) this.openFileWatcher();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.folderWatcher?.close();
    this.folderWatcher = undefined;
    this.closeFileWatcher();
  }

  private openFileWatcher(): void {
    if (this.closed) return;
    this.fileWatcher = this.open(this.deps.file, () => this.changed(), () => { this.fileWatcher = undefined; });
  }

  private closeFileWatcher(): void {
    this.fileWatcher?.close();
    this.fileWatcher = undefined;
  }

  /** A watcher, or undefined when the path cannot be watched (missing, no permission, unsupported). */
  private open(target: string, onEvent: (filename: string | null) => void, onGone: () => void): FSWatcher | undefined {
    let watcher: FSWatcher;
    try {
      watcher = (this.deps.watch ?? watch)(target, { persistent: false }, (_event, filename) => onEvent(filename === null ? null : String(filename)));
    } catch {
      return undefined;
    }
    watcher.on('error', () => {
      watcher.close();
      onGone();
      this.changed();
    });
    return watcher;
  }

  private changed(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.deps.onChange();
    }, this.deps.debounceMs ?? 100);
    this.timer.unref();
  }
}
