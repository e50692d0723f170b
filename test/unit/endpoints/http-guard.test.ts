import { describe, expect, it } from 'vitest';
import { checkHost, checkOrigin, sameDigest, sha256Hex } from '../../../main/endpoints/http-guard.ts';
import { parseHandshake } from '../../../main/endpoints/socket-endpoint.ts';

describe('Host and Origin checks', () => {
  it('accepts only loopback names with the endpoint port', () => {
    for (const host of ['127.0.0.1:4000', 'localhost:4000', '[::1]:4000', 'LOCALHOST:4000']) expect(checkHost(host, 4000)).toBeUndefined();
    for (const host of ['evil.com:4000', '127.0.0.1:4001', '127.0.0.1', undefined, '127.0.0.1.nip.io:4000']) expect(checkHost(host, 4000)?.status).toBe(403);
  });

  it('accepts absent or loopback origins only', () => {
    for (const origin of [undefined, 'http://127.0.0.1:5173', 'http://localhost', 'https://[::1]:8443']) expect(checkOrigin(origin)).toBeUndefined();
    for (const origin of ['https://evil.example.com', 'null', 'file://', 'http://localhost.evil.com', 'chrome-extension://abc']) expect(checkOrigin(origin)?.status).toBe(403);
  });

  it('compares token digests', () => {
    expect(sameDigest(sha256Hex('a'), sha256Hex('a'))).toBe(true);
    expect(sameDigest(sha256Hex('a'), sha256Hex('b'))).toBe(false);
    expect(sameDigest(sha256Hex('a'), 'zz')).toBe(false);
  });
});

describe('socket handshake', () => {
  it('parses the handshake and explains a bad one', () => {
    expect(parseHandshake('{"switchboard":{"server":"files","client":"bridge"}}')).toEqual({ server: 'files', client: 'bridge' });
    expect(parseHandshake('{"switchboard":{"server":"files"}}')).toEqual({ server: 'files', client: 'bridge' });
    expect(parseHandshake('{"jsonrpc":"2.0","id":1,"method":"initialize"}')).toMatch(/first line must be the handshake/);
    expect(parseHandshake('nope')).toMatch(/not JSON/);
    expect(parseHandshake('{"switchboard":{"profile":"work","client":"bridge"}}')).toEqual({ profile: 'work', client: 'bridge' });
    expect(parseHandshake('{"switchboard":{"profile":"work","server":"files"}}')).toMatch(/first line must be the handshake/);
  });
});
