// A small real HTTP server on 127.0.0.1 serving a signed org policy envelope with an ETag,
// scriptable to misbehave: bad signature, unsigned, down (503 / connection refused).
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { signPolicy } from '../../main/orgsync/signature.ts';

export type OrgServerMode = 'signed' | 'bad-signature' | 'unsigned' | 'unknown-key' | 'down';

export interface OrgKeyPair {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  /** What a managed policy names: PEM SPKI. */
  readonly publicKeyPem: string;
  /** The raw 32-byte key as base64. */
  readonly publicKeyRaw: string;
}

export function generateOrgKey(keyId = 'org-2026'): OrgKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    keyId,
    privateKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    publicKeyRaw: Buffer.from(jwk.x!, 'base64url').toString('base64'),
  };
}

export class OrgServer {
  mode: OrgServerMode = 'signed';
  policy: unknown;
  readonly requests: Array<{ ifNoneMatch?: string; status: number }> = [];
  private readonly key: OrgKeyPair;
  private server: Server | undefined;
  private revision = 0;
  private port = 0;

  constructor(key: OrgKeyPair, policy: unknown) {
    this.key = key;
    this.policy = policy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/policy.json`;
  }

  /** Replace the served policy (new ETag). */
  publish(policy: unknown): void {
    this.policy = policy;
    this.revision++;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const etag = `"rev-${this.revision}-${this.mode}"`;
      const ifNoneMatch = req.headers['if-none-match'];
      const record = (status: number) => this.requests.push({ ...(ifNoneMatch ? { ifNoneMatch } : {}), status });
      if (this.mode === 'down') {
        record(503);
        res.writeHead(503).end('down for maintenance');
        return;
      }
      if (ifNoneMatch === etag) {
        record(304);
        res.writeHead(304, { etag }).end();
        return;
      }
      let body: unknown;
      if (this.mode === 'unsigned') body = this.policy;
      else {
        const envelope = signPolicy(this.policy, this.key.privateKey, this.key.keyId);
        if (this.mode === 'unknown-key') envelope.keyId = 'someone-else';
        if (this.mode === 'bad-signature') {
          const bytes = Buffer.from(envelope.signature, 'base64');
          bytes[0] = bytes[0]! ^ 0xff;
          envelope.signature = bytes.toString('base64');
        }
        body = envelope;
      }
      record(200);
      res.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  }
}
