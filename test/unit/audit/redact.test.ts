import { describe, expect, it } from 'vitest';
import { ArgumentCapture, REDACTED, isSecretKey, redactText } from '../../../main/audit/redact.ts';

const GH = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('argument redaction', () => {
  it('redacts values under secret-looking keys, at any depth and in any case', () => {
    const capture = new ArgumentCapture({ mode: 'redacted' });
    const { text } = capture.capture({ API_KEY: 'k1', nested: { headers: { Authorization: 'x', Cookie: 'c' }, list: [{ password: 'p' }] }, path: '/tmp/a' });
    const parsed = JSON.parse(text!);
    expect(parsed.API_KEY).toBe(REDACTED);
    expect(parsed.nested.headers.Authorization).toBe(REDACTED);
    expect(parsed.nested.headers.Cookie).toBe(REDACTED);
    expect(parsed.nested.list[0].password).toBe(REDACTED);
    expect(parsed.path).toBe('/tmp/a');
  });

  it('redacts credential formats inside values', () => {
    const text = redactText(`use Bearer abc.def-123456 and ${GH} sk-proj-abcdefghijklmnop1234 xoxb-1234567890-abcdef AKIAIOSFODNN7EXAMPLE ${JWT} https://bob:hunter2@example.com/x?token=zzz`);
    for (const secret of ['abc.def-123456', GH, 'sk-proj-abcdefghijklmnop1234', 'xoxb-1234567890-abcdef', 'AKIAIOSFODNN7EXAMPLE', JWT, 'hunter2', 'zzz']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('Bearer [REDACTED]');
  });

  it('redacts long random strings but keeps paths, uuids and hex hashes', () => {
    const random = 'q8Zr2LmX7vTk4NpW9sYb3HcJ6dFg1RaE5uQo';
    expect(redactText(`value ${random} end`)).not.toContain(random);
    const keep = '/home/user/projects/switchboard/main/audit/store.ts 0f3c6e1b-7d2a-4c4b-9a7e-2b7c1e0d9f11 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(redactText(keep)).toBe(keep);
  });

  it('full mode keeps ordinary values but still drops secret keys and credential formats', () => {
    const capture = new ArgumentCapture({ mode: 'full' });
    const parsed = JSON.parse(capture.capture({ token: 't', note: `key ${GH}`, id: 'q8Zr2LmX7vTk4NpW9sYb3HcJ6dFg1RaE5uQo' }).text!);
    expect(parsed.token).toBe(REDACTED);
    expect(parsed.note).not.toContain(GH);
    expect(parsed.id).toBe('q8Zr2LmX7vTk4NpW9sYb3HcJ6dFg1RaE5uQo');
  });

  it('none keeps nothing; a size cap truncates with a marker', () => {
    expect(new ArgumentCapture({ mode: 'none' }).capture({ a: 1 })).toEqual({ text: null, truncated: false });
    const capped = new ArgumentCapture({ mode: 'redacted', maxChars: 100 }).capture({ body: 'x'.repeat(1000) });
    expect(capped.truncated).toBe(true);
    expect(capped.text!.length).toBeLessThan(140);
    expect(capped.text).toMatch(/…\[truncated \d+ chars\]$/);
  });

  it("applies the policy's redaction patterns in every mode, to nested strings, numbers and free text", () => {
    const args = { note: 'ticket for employee E-482913, see E-100200', nested: [{ card: 4111111111111111, memo: 'plain' }], count: 3 };
    for (const mode of ['redacted', 'full'] as const) {
      const capture = new ArgumentCapture({ mode, patterns: ['E-\\d{6}', '^4\\d{15}$'] });
      const parsed = JSON.parse(capture.capture(args).text!);
      expect(parsed).toEqual({ note: `ticket for employee ${REDACTED}, see ${REDACTED}`, nested: [{ card: REDACTED, memo: 'plain' }], count: 3 });
    }
    const none = new ArgumentCapture({ mode: 'none', patterns: ['E-\\d{6}'] });
    expect(none.capture(args).text).toBeNull();
    expect(none.text('failed for E-482913')).toBe(`failed for ${REDACTED}`);
    // Without patterns nothing of the above is touched.
    expect(JSON.parse(new ArgumentCapture({ mode: 'full' }).capture(args).text!)).toEqual(args);
  });

  it('refuses a pattern that is not a regular expression', () => {
    expect(() => new ArgumentCapture({ mode: 'redacted', patterns: ['a(b'] })).toThrow();
  });

  it('recognises secret key spellings', () => {
    for (const key of ['api_key', 'apiKey', 'X-Api-Key', 'client_secret', 'access_token', 'Authorization', 'set-cookie', 'PASSWORD', 'private_key']) expect(isSecretKey(key)).toBe(true);
    for (const key of ['path', 'title', 'repo', 'query']) expect(isSecretKey(key)).toBe(false);
  });
});
