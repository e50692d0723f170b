// A stand-in daemon for crash tests: opens the audit store in DATA_DIR, runs the forwarder to
// GATEWAY_URL, and (when CALLS > 0) drives that many calls through the AuditInterceptor, printing
// "answered <requestId>" after each response reaches the "client". The test kills it with SIGKILL
// mid-batch and starts it again with CALLS=0 to drain what is left.
import { AuditForwarder } from '../../main/forwarder/audit-forwarder.ts';
import { createAuditHarness, fakeUpstream, makeCallContext, makeSession } from './audit-harness.ts';

const dataDir = process.env.DATA_DIR!;
const url = process.env.GATEWAY_URL!;
const calls = Number(process.env.CALLS ?? 0);

const harness = createAuditHarness(dataDir, 'redacted');
const forwarder = new AuditForwarder(
  { outbox: harness.outbox, identity: { ...harness.identity, serviceVersion: 'test' }, getToken: async () => 'child-token' },
  { url, batchSize: 50, intervalMs: 20, backoff: { baseMs: 20, maxMs: 200 } },
);
forwarder.start();
process.stdout.write('ready\n');

const session = makeSession({ sessionId: `child-${process.pid}` });
let next = 0;
async function worker(): Promise<void> {
  while (next < calls) {
    const id = ++next;
    const ctx = makeCallContext(session, id, { arguments: { n: id } });
    await harness.interceptor.handle(ctx, async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return fakeUpstream(ctx)(request);
    });
    process.stdout.write(`answered ${id}\n`);
  }
}
await Promise.all([worker(), worker(), worker(), worker()]);
process.stdout.write('calls-done\n');
process.on('SIGTERM', () => {
  void forwarder.stop().then(() => {
    harness.close();
    process.exit(0);
  });
});
