// The gateway URL works in both OTLP forms: the base URL and the full logs endpoint a user copies
// from the collector's docs (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT). The full form used to get /v1/logs
// appended again, so nothing arrived (issue 19, item 17).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditForwarder } from '../../../main/forwarder/audit-forwarder.ts';
import { otlpLogsEndpoint } from '../../../main/forwarder/gateway-url.ts';
import { createAuditHarness, driveCalls, type AuditHarness } from '../../support/audit-harness.ts';
import { FakeGateway } from '../../support/gateway.ts';

let dir: string;
let gateway: FakeGateway;
let harness: AuditHarness;
let forwarder: AuditForwarder | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fwd-url-'));
  gateway = new FakeGateway();
  await gateway.start();
  harness = createAuditHarness(dir);
});
afterEach(async () => {
  await forwarder?.stop();
  forwarder = undefined;
  harness.close();
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the gateway URL', () => {
  for (const form of ['base', 'base/', 'base/v1/logs', 'base/v1/logs/'] as const) {
    it(`delivers records when given as ${form}`, async () => {
      await driveCalls(harness.interceptor, 5);
      const url = form.replace('base', gateway.url);
      forwarder = new AuditForwarder({ outbox: harness.outbox, identity: { ...harness.identity, serviceVersion: 'test' }, getToken: async () => undefined }, { url, intervalMs: 20 });
      forwarder.start();
      await gateway.waitFor(() => gateway.uniqueCount() >= 5, 10_000);
      expect(gateway.uniqueCount()).toBe(5);
      expect(forwarder.status().lastError).toBeNull();
    });
  }

  it('keeps a path prefix and never doubles /v1/logs', () => {
    expect(otlpLogsEndpoint('https://otel.example.com')).toBe('https://otel.example.com/v1/logs');
    expect(otlpLogsEndpoint('https://otel.example.com/otlp/')).toBe('https://otel.example.com/otlp/v1/logs');
    expect(otlpLogsEndpoint('https://otel.example.com/otlp/v1/logs')).toBe('https://otel.example.com/otlp/v1/logs');
    expect(otlpLogsEndpoint('https://otel.example.com/v1/logs?tenant=a')).toBe('https://otel.example.com/v1/logs?tenant=a');
  });
});
