// Which gateway the forwarder delivers to, and with which credential: the one a policy names wins
// over the one in settings (a managed policy may lock it). Re-applied when policy or settings
// change; the forwarder is reconfigured only when the choice itself changed.
import type { Config } from '../../shared/config.ts';
import type { Logger } from '../base/logger.ts';
import type { AuditForwarder, ForwarderConfig } from './audit-forwarder.ts';

export interface GatewayChoice {
  readonly url: string;
  readonly credential?: string;
}

export interface GatewaySources {
  /** The gateway the effective policy names, if any. */
  readonly fromPolicy: () => GatewayChoice | undefined;
  readonly settings: () => Config['settings'];
  readonly readSecret: (name: string) => Promise<string | null | undefined>;
  readonly logger: Logger;
  /** Passed to the forwarder with the URL (tests shorten batches and backoff). */
  readonly forwarderOptions?: Partial<Omit<ForwarderConfig, 'url'>>;
}

export class GatewayBinding {
  private readonly sources: GatewaySources;
  private appliedKey: string | undefined;

  constructor(sources: GatewaySources) {
    this.sources = sources;
  }

  current(): GatewayChoice | undefined {
    return this.sources.fromPolicy() ?? this.sources.settings().gateway;
  }

  /** The bearer token for the gateway, from the keychain; undefined when no credential is named. */
  async token(): Promise<string | undefined> {
    const credential = this.current()?.credential;
    if (!credential) return undefined;
    return (await this.sources.readSecret(credential)) ?? undefined;
  }

  apply(forwarder: AuditForwarder): void {
    const gateway = this.current();
    const key = JSON.stringify(gateway ?? null);
    if (key === this.appliedKey) return;
    this.appliedKey = key;
    forwarder.configure(gateway ? { ...this.sources.forwarderOptions, url: gateway.url } : null);
    this.sources.logger.info(gateway ? 'audit forwarding to the gateway' : 'audit forwarding off (no gateway configured)', gateway ? { url: gateway.url } : {});
  }
}
