// Everything policy contributes to a daemon, built from a few injected functions: the policy
// service (sources → engine), the approval broker, tool pins, the relay interceptor, the
// supervisor's admission hook and the API handlers. The daemon wires these in; nothing here
// reaches for globals.
import path from 'node:path';
import { ApiError } from '../../shared/api/define.ts';
import type { ServerConfig } from '../../shared/config.ts';
import type { UserPolicy } from '../../shared/policy.ts';
import { createApprovalsHandlers } from '../api/approvals.ts';
import { createPolicyHandlers } from '../api/policy.ts';
import { createAlwaysAllowHandler, type UserRuleInsertion } from '../approvals/always-allow.ts';
import { ApprovalBroker } from '../approvals/broker.ts';
import type { Admission } from './engine.ts';
import { PolicyInterceptor, refusalText, type ListedTool } from './interceptor.ts';
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
  /**
   * A tool's current definition from the daemon's probe session (supervisor.tools), for test calls
   * and `policy check`. Relay sessions take definitions from their own upstream, never from here.
   */
  readonly lookupTool?: (serverId: string, tool: string) => Promise<ListedTool | undefined>;
  readonly fetch?: typeof fetch;
  readonly managedPollMs?: number;
}

/** What keepAdmitted needs from the supervisor. */
export interface AdmissionTarget {
  list(): ReadonlyArray<{ id: string; state: string; reason?: string }>;
  config(id: string): ServerConfig | undefined;
  restart(id: string): Promise<unknown>;
}

type TestCall = (input: { id: string; name: string; arguments?: Record<string, unknown> }, ...rest: never[]) => Promise<unknown>;

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

  /**
   * Keeps the daemon's own server processes (the supervisor's probes) in line with policy
   * changes: a running server the policy no longer admits is restarted, and so refused with the
   * rule in its status; one refused at admission that is admitted again is started. Returns the
   * unsubscribe function.
   */
  keepAdmitted(target: AdmissionTarget): () => void {
    const check = () => {
      for (const status of target.list()) {
        const config = target.config(status.id);
        if (!config?.enabled) continue;
        const admitted = this.service.admit(config).ok;
        const running = status.state === 'ready' || status.state === 'starting';
        // The supervisor's AdmissionError message (main/servers/supervisor.ts).
        const refused = status.state === 'failed' && (status.reason ?? '').startsWith(`server '${status.id}' may not run:`);
        if ((running && !admitted) || (refused && admitted)) void target.restart(status.id).catch(() => undefined);
      }
    };
    this.service.events.on('changed', check);
    return () => this.service.events.off('changed', check);
  }

  /**
   * Wraps the servers API so its test call (`servers.callTool`, through the daemon's probe, not a
   * relay session) is held to the same policy as a client's call: admission, tool rules with the
   * tool's annotations and the arguments, and pinning. A test call cannot wait for an approval, so
   * `ask` refuses it too.
   */
  guardTestCalls<H extends object>(handlers: H): H {
    const call = (handlers as Record<string, unknown>)['servers.callTool'] as TestCall | undefined;
    if (!call) return handlers;
    const guarded: TestCall = async (input, ...rest) => {
      const server = this.deps.serverConfig(input.id);
      // An unknown server: the handler itself answers not_found.
      if (server) await this.checkTestCall(server, input.name, input.arguments ?? {});
      return call(input, ...rest);
    };
    return { ...handlers, 'servers.callTool': guarded };
  }

  private async checkTestCall(server: ServerConfig, name: string, args: Record<string, unknown>): Promise<void> {
    const engine = this.service.engine();
    const forbidden = (message: string) => new ApiError({ code: 'forbidden', message });
    const admission = engine.admitServer(server);
    if (!admission.ok) throw forbidden(refusalText({ action: 'deny', rule: admission.rule, source: admission.source, reason: admission.reason }));
    let tool: ListedTool | undefined;
    try {
      tool = await this.deps.lookupTool?.(server.id, name);
    } catch {
      // The probe failing is reported by the call itself; policy is decided with MCP defaults.
    }
    const decision = engine.evaluate({ serverId: server.id, server, name, annotations: tool?.annotations, arguments: args });
    if (decision.action === 'deny') throw forbidden(refusalText(decision));
    if (decision.action === 'ask') throw forbidden(`${refusalText(decision)}: this call needs the user's approval, and a test call cannot wait for one; make it from a client`);
    if (tool && engine.pinningOnChange() !== 'allow' && this.pins.observe(server.id, tool).status === 'changed') {
      throw forbidden(`Refused by MCP Switchboard policy (pinning: tool definition of ${server.id}/${name} changed): review the change first (policy.pins, policy.acceptPinChange)`);
    }
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
        ...(this.deps.lookupTool ? { lookupTool: this.deps.lookupTool } : {}),
      }),
      ...createApprovalsHandlers({ broker: this.broker }),
    };
  }
}
