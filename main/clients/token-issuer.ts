// One bearer token per linked client file for the HTTP endpoint, scoped to the servers linked in
// that file. The token goes into the client's file (the client must send it); config.json keeps
// only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { ConfigAccess } from './config-access.ts';

export class ClientTokenIssuer {
  private readonly config: ConfigAccess;
  private readonly now: () => Date;

  constructor(config: ConfigAccess, now: () => Date = () => new Date()) {
    this.config = config;
    this.now = now;
  }

  /** Creates a token named `name` (replacing one of the same name) that opens `servers` only, and returns it; shown once. */
  async issue(name: string, servers: string[]): Promise<string> {
    if (servers.length === 0) throw new Error(`a token must name the servers it opens (token '${name}')`);
    const token = `sbt_${randomBytes(32).toString('base64url')}`;
    const sha256 = createHash('sha256').update(token).digest('hex');
    await this.config.update((config) => {
      config.tokens = config.tokens.filter((t) => t.name !== name);
      config.tokens.push({ name, sha256, createdAt: this.now().toISOString(), servers });
    });
    return token;
  }

  /** Creates a token named `name` (replacing one of the same name) that opens only the profile's /mcp endpoint. */
  async issueForProfile(name: string, profile: string): Promise<string> {
    const token = `sbt_${randomBytes(32).toString('base64url')}`;
    const sha256 = createHash('sha256').update(token).digest('hex');
    await this.config.update((config) => {
      config.tokens = config.tokens.filter((t) => t.name !== name);
      config.tokens.push({ name, sha256, createdAt: this.now().toISOString(), profile });
    });
    return token;
  }

  async revoke(name: string): Promise<void> {
    await this.config.update((config) => {
      config.tokens = config.tokens.filter((t) => t.name !== name);
    });
  }
}
