import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrgPolicySync } from '../../../main/orgsync/org-sync.ts';
import { parsePublicKey, signPolicy, verifyEnvelope } from '../../../main/orgsync/signature.ts';
import { generateOrgKey, OrgServer, type OrgKeyPair } from '../../support/org-server.ts';

const policyV1 = { version: 1, serial: 1, tools: [{ id: 'org-no-delete', match: '*/delete_*', action: 'deny' }] };
const policyV2 = { version: 1, serial: 2, tools: [{ id: 'org-no-write', match: '*/write_*', action: 'deny' }] };

describe('signature envelope', () => {
  const key = generateOrgKey();
  const keys = [{ id: key.keyId, key: key.publicKeyPem }];

  it('verifies over canonical JSON regardless of key order and accepts PEM or raw base64 keys', () => {
    const envelope = signPolicy(policyV1, key.privateKey, key.keyId);
    const reordered = { ...envelope, policy: { tools: policyV1.tools, serial: 1, version: 1 } };
    expect(verifyEnvelope(reordered, keys)).toMatchObject({ ok: true, keyId: key.keyId });
    expect(verifyEnvelope(envelope, [{ id: key.keyId, key: key.publicKeyRaw }]).ok).toBe(true);
    expect(parsePublicKey(key.publicKeyRaw).asymmetricKeyType).toBe('ed25519');
  });

  it('refuses tampered documents, unknown keys, unsigned documents and signed non-policies', () => {
    const envelope = signPolicy(policyV1, key.privateKey, key.keyId);
    expect(verifyEnvelope({ ...envelope, policy: { ...policyV1, tools: [] } }, keys)).toMatchObject({ ok: false, reason: expect.stringContaining('bad signature') });
    expect(verifyEnvelope({ ...envelope, keyId: 'other' }, keys)).toMatchObject({ ok: false, reason: expect.stringContaining('unknown key') });
    expect(verifyEnvelope(policyV1, keys)).toMatchObject({ ok: false, reason: expect.stringContaining('not a signed policy envelope') });
    expect(verifyEnvelope(signPolicy({ version: 7 }, key.privateKey, key.keyId), keys)).toMatchObject({ ok: false, reason: expect.stringContaining('not a valid policy') });
  });
});

describe('OrgPolicySync against a real HTTP org server', () => {
  let key: OrgKeyPair;
  let server: OrgServer;
  let dir: string;
  const syncFor = (url: string, k = key) => new OrgPolicySync({
    settings: { url, publicKeys: [{ id: k.keyId, key: k.publicKeyPem }], refreshSeconds: 3600, required: true },
    cacheFile: path.join(dir, 'org-policy.json'),
  });

  beforeEach(async () => {
    key = generateOrgKey();
    server = new OrgServer(key, policyV1);
    await server.start();
    dir = await mkdtemp(path.join(tmpdir(), 'orgsync-'));
  });
  afterEach(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fetches, caches as last-known-good and revalidates with If-None-Match (304)', async () => {
    const sync = syncFor(server.url);
    expect(await sync.refresh()).toMatchObject({ state: 'active', policy: { serial: 1 } });
    const first = server.requests.at(-1)!;
    expect(first.status).toBe(200);
    await sync.refresh();
    expect(server.requests.at(-1)).toMatchObject({ status: 304, ifNoneMatch: expect.stringContaining('rev-0') });
    const cached = JSON.parse(await readFile(path.join(dir, 'org-policy.json'), 'utf8'));
    expect(cached.envelope.policy.serial).toBe(1);
    server.publish(policyV2);
    expect(await sync.refresh()).toMatchObject({ state: 'active', policy: { serial: 2 } });
  });

  it('a badly signed, unsigned or unknown-key document is refused and the last good one stays (also on disk)', async () => {
    const sync = syncFor(server.url);
    await sync.refresh();
    for (const mode of ['bad-signature', 'unsigned', 'unknown-key'] as const) {
      server.mode = mode;
      server.publish(policyV2);
      const state = await sync.refresh();
      expect(state).toMatchObject({ state: 'active', policy: { serial: 1 }, lastError: expect.stringContaining('refused org policy') });
    }
    const cached = JSON.parse(await readFile(path.join(dir, 'org-policy.json'), 'utf8'));
    expect(cached.envelope.policy.serial).toBe(1);
  });

  it('an older serial (rollback) is refused', async () => {
    server.publish(policyV2);
    const sync = syncFor(server.url);
    await sync.refresh();
    server.publish(policyV1);
    expect(await sync.refresh()).toMatchObject({ policy: { serial: 2 }, lastError: expect.stringContaining('older') });
  });

  it('when the server is down the cached policy is used after a restart; a tampered cache is ignored', async () => {
    await syncFor(server.url).refresh();
    server.mode = 'down';
    const restarted = syncFor(server.url);
    // With a good cache, start() does not wait for the org server.
    expect(await restarted.start()).toMatchObject({ state: 'active', policy: { serial: 1 } });
    await restarted.settled();
    expect(restarted.state()).toMatchObject({ state: 'active', policy: { serial: 1 }, lastError: expect.stringContaining('HTTP 503') });
    restarted.stop();

    const cacheFile = path.join(dir, 'org-policy.json');
    const cached = JSON.parse(await readFile(cacheFile, 'utf8'));
    cached.envelope.policy.tools = [];
    await writeFile(cacheFile, JSON.stringify(cached));
    const tampered = syncFor(server.url);
    expect(await tampered.start()).toMatchObject({ state: 'unavailable', required: true, message: expect.stringContaining('HTTP 503') });
    tampered.stop();
  });

  it('an unreachable server with no cache reports unavailable', async () => {
    await server.stop();
    const sync = syncFor(server.url);
    expect(await sync.refresh()).toMatchObject({ state: 'unavailable', message: expect.stringContaining('cannot fetch') });
  });
});
