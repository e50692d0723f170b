// Everything policy contributes to the product, built from a few injected functions: the policy
// service (sources → engine), the approval broker, tool pins and the relay interceptor. The
// composition root wires these in and builds their API handlers; nothing here reaches for globals.
import path from 'node:path';
import type { ServerConfig } from '../../shared/config.ts';
import type { UserPolicy } from '../../shared/policy.ts';
import { ApprovalBroker } from '../approvals/broker.ts';
import { createAlwaysAllowHandler, type UserRuleInsertion } from './always-allow.ts';
import type { Admission } from './engine.ts';
import { PolicyInterceptor } from './interceptor.ts';
import { managedPolicyPath } from './managed-source.ts';
import { PinStore } from './pin-store.ts';
import { PolicyService } from './policy-service.ts';

export interface PolicyStackDeps {
  readonly dataDir: string;
  /** Default: the OS path (or $SWITCHBOARD_MANAGED_POLICY while nothing exists there). */
  readonly managedPath?: string;
  /** settings.userPolicy from the config. */
  readonly userPolicy: () => UserPolicy | undefined;
  /** "Always allow": insert this rule into settings.userPolicy.tools at its position (computed from the tools being written) and save the config. */
  readonly addUserRule: (insertion: UserRuleInsertion) => void | Promise<void>;
  /** The configured server (supervisor.config). */
  readonly serverConfig: (serverId: string) => ServerConfig | undefined;
  readonly fetch?: typeof fetch;
  readonly managedPollMs?: number;
  /** Org policy from its cache only (see PolicyServiceDeps.orgCacheOnly). */
  readonly orgCacheOnly?: boolean;
  /** Watch the managed file for changes (default true). */
  readonly watchManaged?: boolean;
  /** Where nobody can answer an approval (the CLI's in-process daemon): why asks are refused at once. */
  readonly unattended?: string;
}

export class PolicyStack {
  readonly service: PolicyService;
  readonly broker: ApprovalBroker;
  readonly pins: PinStore;
  readonly interceptor: PolicyInterceptor;

  constructor(deps: PolicyStackDeps) {
    this.service = new PolicyService({
      managedPath: deps.managedPath ?? managedPolicyPath(),
      dataDir: deps.dataDir,
      userPolicy: deps.userPolicy,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.managedPollMs !== undefined ? { managedPollMs: deps.managedPollMs } : {}),
      ...(deps.orgCacheOnly ? { orgCacheOnly: true } : {}),
      ...(deps.watchManaged === false ? { watchManaged: false } : {}),
    });
    this.pins = new PinStore({ file: path.join(deps.dataDir, 'tool-pins.json') });
    this.broker = new ApprovalBroker({
      timeoutMs: () => this.service.engine().approvalTimeoutMs(),
      onAlwaysAllow: createAlwaysAllowHandler({ pins: this.pins, addUserRule: deps.addUserRule }),
      ...(deps.unattended !== undefined ? { unattended: deps.unattended } : {}),
    });
    this.interceptor = new PolicyInterceptor({
      engine: () => this.service.engine(),
      broker: this.broker,
      pins: this.pins,
      serverConfig: deps.serverConfig,
    });
  }

  /** Reads the managed file and starts org sync; until then every server is refused. */
  async start(): Promise<void> {
    await this.service.start();
  }

  stop(): void {
    this.broker.dispose();
    this.service.stop();
  }

  /** The supervisor's admission hook. */
  readonly admit = (server: ServerConfig): Admission => this.service.admit(server);

  /** Call when the settings changed (a config change event); rebuilds the engine only if the user rules differ. */
  userPolicyChanged(): void {
    this.service.userPolicyChanged();
  }

  /** Called with the new engine whenever a source changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.service.events.on('changed', listener);
    return () => this.service.events.off('changed', listener);
  }
}
