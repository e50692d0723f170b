// Owns the three policy sources and the compiled engine: loads the managed file (and notices when
// it changes: watched, with a poll as the fallback), runs org sync when the managed policy names an org URL, takes the user's rules from
// the settings, and rebuilds the engine whenever one of them changes.
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { UserPolicy } from '../../shared/policy.ts';
import { OrgPolicySync } from '../orgsync/org-sync.ts';
import type { ServerConfig } from '../../shared/config.ts';
import { PolicyEngine, type Admission, type ManagedState } from './engine.ts';
import { loadManagedPolicy } from './managed-source.ts';
import { canonicalJson } from '../base/canonical-json.ts';
import { FileWatcher } from './file-watch.ts';

export interface PolicyServiceDeps {
  /** managedPolicyPath() in production; a temp file in tests. */
  readonly managedPath: string;
  /** Where the org policy's last-known-good copy is cached (org-policy.json). */
  readonly dataDir: string;
  /** The `userPolicy` section of the settings, read when the engine is (re)built. */
  readonly userPolicy: () => UserPolicy | undefined;
  readonly fetch?: typeof fetch;
  /** How often the managed file is checked for changes whether or not a watch event came; 0 turns polling off. */
  readonly managedPollMs?: number;
  /** Take the org policy from its last-known-good cache only, never fetching (a one-off CLI command). */
  readonly orgCacheOnly?: boolean;
  /** Watch the managed file and its folder (default true); events are debounced by managedDebounceMs (default 100). */
  readonly watchManaged?: boolean;
  readonly managedDebounceMs?: number;
}

export type PolicyServiceEvents = { changed: [PolicyEngine] };

export class PolicyService {
  readonly events = new EventEmitter<PolicyServiceEvents>();
  private readonly deps: PolicyServiceDeps;
  private managed: ManagedState;
  private org: OrgPolicySync | undefined;
  private orgKey = '';
  private current: PolicyEngine;
  private poll: NodeJS.Timeout | undefined;
  private watcher: FileWatcher | undefined;
  private managedStamp = '';
  private userSeen: UserPolicy | undefined;

  constructor(deps: PolicyServiceDeps) {
    this.deps = deps;
    // Until start() has read the file, nothing is admitted.
    this.managed = { state: 'error', path: deps.managedPath, message: 'policy not loaded yet' };
    this.current = new PolicyEngine({ managed: this.managed });
  }

  /** The engine in force. A read: it is rebuilt only when a source changes (start, reloads, userPolicyChanged). */
  engine(): PolicyEngine {
    return this.current;
  }

  /** The supervisor's admission hook: may this server start, be linked or be called? */
  readonly admit = (server: ServerConfig): Admission => this.engine().admitServer(server);

  /** The org sync, when the managed policy names an org URL (status, tests). */
  orgSync(): OrgPolicySync | undefined {
    return this.org;
  }

  async start(): Promise<PolicyEngine> {
    await this.reloadManaged();
    if (this.deps.watchManaged !== false) {
      this.watcher = new FileWatcher({
        file: this.deps.managedPath,
        onChange: () => void this.checkManaged(),
        ...(this.deps.managedDebounceMs !== undefined ? { debounceMs: this.deps.managedDebounceMs } : {}),
      });
      this.watcher.ensure();
    }
    const every = this.deps.managedPollMs ?? 10_000;
    if (every > 0) {
      this.poll = setInterval(() => {
        this.watcher?.ensure();
        void this.checkManaged();
      }, every);
      this.poll.unref();
    }
    return this.current;
  }

  stop(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    this.org?.stop();
    this.events.removeAllListeners();
  }

  async reloadManaged(): Promise<PolicyEngine> {
    this.managedStamp = await fileStamp(this.deps.managedPath);
    this.managed = await loadManagedPolicy(this.deps.managedPath);
    await this.configureOrg();
    return this.rebuild();
  }

  /** Call when the settings changed; rebuilds only when their userPolicy differs from the one in force. */
  userPolicyChanged(): PolicyEngine {
    const next = this.deps.userPolicy();
    if (canonicalJson(next ?? null) === canonicalJson(this.userSeen ?? null)) return this.current;
    return this.rebuild();
  }

  async refreshOrg(): Promise<PolicyEngine> {
    if (this.org) await this.org.refresh();
    return this.rebuild();
  }

  private async checkManaged(): Promise<void> {
    try {
      if ((await fileStamp(this.deps.managedPath)) !== this.managedStamp) await this.reloadManaged();
    } catch {
      // Reading is fail-closed inside reloadManaged; an org sync that failed to start retries at the next check.
    }
  }

  private async configureOrg(): Promise<void> {
    const settings = this.managed.state === 'active' ? this.managed.policy.org : undefined;
    const key = settings ? canonicalJson(settings) : '';
    if (key === this.orgKey) return;
    this.org?.stop();
    this.org = undefined;
    this.orgKey = key;
    if (!settings) return;
    this.org = new OrgPolicySync({
      settings,
      cacheFile: path.join(this.deps.dataDir, 'org-policy.json'),
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      onChange: () => { if (this.org) this.rebuild(); },
    });
    if (this.deps.orgCacheOnly) await this.org.loadCache();
    else await this.org.start();
  }

  private rebuild(): PolicyEngine {
    this.userSeen = this.deps.userPolicy();
    this.current = new PolicyEngine({ managed: this.managed, org: this.org?.state(), user: this.userSeen });
    this.events.emit('changed', this.current);
    return this.current;
  }
}

async function fileStamp(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch (error) {
    return `missing:${(error as NodeJS.ErrnoException).code}`;
  }
}
