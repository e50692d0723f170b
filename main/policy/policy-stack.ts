// Everything policy contributes to a daemon, built from a few injected functions: the policy
// service (sources → engine), the approval broker, tool pins, the relay interceptor, the
// supervisor's admission hook and the API handlers. The daemon wires these in; nothing here
// reaches for globals.
import path from 'node:path';
import type { ServerConfig } from '../../shared/config.ts';
import type { ToolRule, UserPolicy } from '../../shared/policy.ts';
import { createApprovalsHandlers } from '../api/approvals.ts';
import { createPolicyHandlers } from '../api/policy.ts';
import { createAlwaysAllowHandler } from '../approvals/always-allow.ts';
import { ApprovalBroker } from '../approvals/broker.ts';
import type { Admission } from './engine.ts';
import { PolicyInterceptor, type ListedTool } from './interceptor.ts';
import { managedPolicyPath } from './managed-source.ts';
import { PinStore } from './pin-store.ts';
import { PolicyService } from './policy-service.ts';

export interface PolicyStackDeps {
  readonly dataDir: string;
  /** Default: the OS path (or $SWITCHBOARD_MANAGED_POLICY while nothing exists there). */
  readonly managedPath?: string;
  /** settings.userPolicy from the config. */
  readonly userPolicy: () => UserPolicy | undefined;
  /** "Always allow": prepend this rule to settings.userPolicy.tools and save the config. */
  readonly addUserRule: (rule: ToolRule) => void | Promise<void>;
  /** The configured server (supervisor.config). */
  readonly serverConfig: (serverId: string) => ServerConfig | undefined;
  /** A tool's current definition from the daemon's probe session (supervisor.tools). */
  readonly lookupTool?: (serverId: string, tool: string) => Promise<ListedTool | undefined>;
  readonly fetch?: typeof fetch;
  readonly managedPollMs?: number;
}

export class PolicyStack {
  readonly service: PolicyService;
  readonly broker: ApprovalBroker;
  readonly pins: PinStore;
  readonly interceptor: PolicyInterceptor;
  private readonly deps: PolicyStackDeps;

  constructor(deps: PolicyStackDeps) {
    this.deps = deps;
    this.service = new PolicyService({
      managedPath: deps.managedPath ?? managedPolicyPath(),
      dataDir: deps.dataDir,
      userPolicy: deps.userPolicy,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.managedPollMs !== undefined ? { managedPollMs: deps.managedPollMs } : {}),
    });
    this.pins = new PinStore({ file: path.join(deps.dataDir, 'tool-pins.json') });
    this.broker = new ApprovalBroker({
      timeoutMs: () => this.service.engine().approvalTimeoutMs(),
      onAlwaysAllow: createAlwaysAllowHandler({ pins: this.pins, addUserRule: deps.addUserRule }),
    });
    this.interceptor = new PolicyInterceptor({
      engine: () => this.service.engine(),
      broker: this.broker,
      pins: this.pins,
      serverConfig: deps.serverConfig,
      ...(deps.lookupTool ? { lookupTool: deps.lookupTool } : {}),
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

  /** For the supervisor: `new Daemon({ admit: stack.admit, … })`. */
  readonly admit = (server: ServerConfig): Admission => this.service.admit(server);

  /** Call when settings.userPolicy changed (config reload). */
  userPolicyChanged(): void {
    this.service.userPolicyChanged();
  }

  /** policy.* and approvals.* API handlers. */
  handlers() {
    return {
      ...createPolicyHandlers({
        engine: () => this.service.engine(),
        reload: async () => {
          await this.service.reloadManaged();
          return this.service.refreshOrg();
        },
        pins: this.pins,
        serverConfig: this.deps.serverConfig,
      }),
      ...createApprovalsHandlers({ broker: this.broker }),
    };
  }
}
