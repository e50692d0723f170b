// Opens the federated sessions of the endpoints (/mcp, `bridge --profile`): the profile by name,
// its servers resolved against the configuration now, one FederatedSession per client session.
import { randomUUID } from 'node:crypto';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Profile } from '../../shared/profiles.ts';
import type { Logger } from '../base/logger.ts';
import type { ClientTransportKind, Interceptor } from '../relay/interceptor.ts';
import type { RelayHub } from '../relay/relay-hub.ts';
import { FederatedSession, type ResolvedProfile } from './federated-session.ts';

export class UnknownProfileError extends Error {
  constructor(name: string) {
    super(`no profile named '${name}'; list them with \`switchboard profile list\``);
    this.name = 'UnknownProfileError';
  }
}

export interface FederationOptions {
  readonly hub: RelayHub;
  readonly logger: Logger;
  readonly version: string;
  /** The effective profile (config, policy-shipped, the built-in default). */
  readonly profileByName: (name: string) => Profile | undefined;
  readonly resolveServers: (profile: Profile) => { servers: string[]; missing: { server: string; why: string }[] };
  /** Calls per "<server>/<tool>" of a client, for a profile's `mostUsed`. */
  readonly usage?: (clientLabel: string, profile: Profile) => ReadonlyMap<string, number>;
  /** Changes (by identity) when the chain may show servers' tools differently (the policy engine). */
  readonly listEpoch?: () => unknown;
  /** The chain's audit link, for calls a profile refuses before any server sees them. */
  readonly audit?: Interceptor;
}

export interface OpenFederatedOptions {
  readonly profile: string;
  readonly downstream: Transport;
  readonly transport: ClientTransportKind;
  readonly clientLabel: string;
  readonly sessionId?: string;
  readonly onClosed?: () => void;
}

export class Federation {
  private readonly options: FederationOptions;
  private readonly live = new Set<FederatedSession>();

  constructor(options: FederationOptions) {
    this.options = options;
  }

  /** Whether a profile of that name exists now (shipped by policy or the user's). */
  has(name: string): boolean {
    return this.options.profileByName(name) !== undefined;
  }

  /** Throws UnknownProfileError. */
  resolve(name: string): ResolvedProfile {
    const profile = this.options.profileByName(name);
    if (!profile) throw new UnknownProfileError(name);
    return { profile, ...this.options.resolveServers(profile) };
  }

  /** Starts listening to the client at once; no server opens before a request needs it. */
  async open(options: OpenFederatedOptions): Promise<FederatedSession> {
    const resolved = this.resolve(options.profile);
    const usage = this.options.usage;
    const session: FederatedSession = new FederatedSession({
      hub: this.options.hub,
      resolved,
      downstream: options.downstream,
      transport: options.transport,
      clientLabel: options.clientLabel,
      sessionId: options.sessionId ?? randomUUID(),
      relateMessages: options.transport === 'http',
      logger: this.options.logger,
      version: this.options.version,
      ...(this.options.listEpoch ? { listEpoch: this.options.listEpoch } : {}),
      ...(this.options.audit ? { audit: this.options.audit } : {}),
      ...(usage && resolved.profile.mostUsed !== undefined ? { usage: () => usage(options.clientLabel, resolved.profile) } : {}),
      onClosed: () => {
        this.live.delete(session);
        options.onClosed?.();
        this.options.logger.info('profile session closed', { profile: resolved.profile.name, session: session.sessionId });
      },
    });
    this.live.add(session);
    this.options.logger.info('profile session opened', { profile: resolved.profile.name, session: session.sessionId, via: options.transport, label: options.clientLabel, servers: resolved.servers.length });
    await session.start();
    return session;
  }

  sessions(): FederatedSession[] {
    return [...this.live];
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.live].map((session) => session.close()));
  }
}
