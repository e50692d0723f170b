// Through the product daemon (policy + approvals + audit, real server-everything): a call that
// waits for a person's approval is recorded with the wait in approvalWaitMs, and its durationMs
// and the latency figures of `audit stats` leave the wait out.
import { afterEach, describe, expect, it } from 'vitest';
import { resultText, startPolicyDaemon, type PolicyDaemon } from '../../support/policy-fixture.ts';
import { until } from '../../support/until.ts';

const HELD_MS = 300;
let daemon: PolicyDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

describe('approval wait in the audit', () => {
  it('records the wait apart from the duration; stats see only the duration; a remembered answer waits 0', async () => {
    const d = daemon = await startPolicyDaemon({ autoStart: false, managed: { tools: [{ id: 'ask-sum', match: 'everything/get-sum', action: 'ask' }] } });
    const client = await d.httpClient('everything');
    const call = client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    const [pending] = (await until(() => d.api['approvals.list']({}), { done: (r) => r.pending.length === 1, what: 'the approval' })).pending;
    // The person takes a while to answer.
    await new Promise((resolve) => setTimeout(resolve, HELD_MS));
    await d.api['approvals.answer']({ id: pending!.id, answer: 'allow-session' });
    expect(resultText(await call)).toContain('5');
    expect(resultText(await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } }))).toContain('2');

    const { queries } = d.switchboard.audit;
    const [remembered, approved] = queries.list({ tool: 'get-sum' }).records;
    expect(approved).toMatchObject({ approver: 'user:session', outcome: 'ok' });
    expect(approved!.approvalWaitMs).toBeGreaterThanOrEqual(HELD_MS - 5);
    expect(approved!.durationMs).toBeLessThan(approved!.approvalWaitMs!);
    expect(remembered).toMatchObject({ approver: 'user:session', approvalWaitMs: 0 });
    const [stats] = queries.stats({ tool: 'get-sum' });
    expect(stats!.maxMs).toBe(Math.max(approved!.durationMs!, remembered!.durationMs!));
  });
});
