// The org policy's detached-signature envelope:
//   { "policy": { …policy document… }, "keyId": "<id>", "signature": "<base64 Ed25519 signature>" }
// The signature covers the canonical JSON of "policy" (keys sorted, no whitespace, UTF-8), so
// re-serialisation by a CDN or a pretty-printer does not break it. Verified with node:crypto
// against the public keys the managed policy names.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { PolicyDocumentSchema, SignedPolicyEnvelopeSchema, type PolicyDocument, type SignedPolicyEnvelope } from '../../shared/policy.ts';
import { canonicalJson } from '../base/canonical-json.ts';
import { formatZodIssues } from '../base/zod-issues.ts';

export interface NamedPublicKey {
  readonly id: string;
  readonly key: string;
}

export type VerifiedEnvelope = { ok: true; policy: PolicyDocument; keyId: string } | { ok: false; reason: string };

/** PEM (SPKI), base64 SPKI DER, or base64 of the raw 32-byte Ed25519 key. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return checkEd25519(createPublicKey(trimmed));
  const bytes = Buffer.from(trimmed, 'base64');
  if (bytes.length === 32) return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') }, format: 'jwk' });
  return checkEd25519(createPublicKey({ key: bytes, format: 'der', type: 'spki' }));
}

function checkEd25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'a symmetric key'}`);
  return key;
}

export function signPolicy(policy: unknown, privateKey: KeyObject | string, keyId: string): SignedPolicyEnvelope {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const signature = sign(null, Buffer.from(canonicalJson(policy), 'utf8'), key).toString('base64');
  return { policy, keyId, signature };
}

export function verifyEnvelope(raw: unknown, keys: readonly NamedPublicKey[]): VerifiedEnvelope {
  const envelope = SignedPolicyEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, reason: `not a signed policy envelope (${formatZodIssues(envelope.error)})` };
  const { policy, keyId, signature } = envelope.data;
  const named = keys.find((k) => k.id === keyId);
  if (!named) return { ok: false, reason: `signed with unknown key "${keyId}"` };
  let key: KeyObject;
  try {
    key = parsePublicKey(named.key);
  } catch (error) {
    return { ok: false, reason: `public key "${keyId}" in the managed policy is unusable: ${(error as Error).message}` };
  }
  const signatureBytes = Buffer.from(signature, 'base64');
  if (signatureBytes.length !== 64 || !verify(null, Buffer.from(canonicalJson(policy), 'utf8'), key, signatureBytes)) {
    return { ok: false, reason: `bad signature (key "${keyId}")` };
  }
  const parsed = PolicyDocumentSchema.safeParse(policy);
  if (!parsed.success) return { ok: false, reason: `signed document is not a valid policy: ${formatZodIssues(parsed.error)}` };
  return { ok: true, policy: parsed.data, keyId };
}
