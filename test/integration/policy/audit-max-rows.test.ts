// audit.maxRows from the managed policy is enforced by the product daemon's retention (it runs at
// start and then periodically): after a restart only the newest maxRows records are kept.
import { afterEach, describe, expect, it } from 'vitest';
import { resultText, startPolicyDaemon, type PolicyDaemon } from '../../support/policy-fixture.ts';

let daemon: PolicyDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

describe('audit.maxRows', () => {
  it('retention keeps only the newest maxRows records', async () => {
    const d = daemon = await startPolicyDaemon({ autoStart: false, managed: { audit: { maxRows: 2 }, locks: ['audit.maxRows'] } });
    const client = await d.httpClient('everything');
    for (let a = 1; a <= 4; a++) expect(resultText(await client.callTool({ name: 'get-sum', arguments: { a, b: 0 } }))).toContain(String(a));
    expect(d.switchboard.audit.queries.count()).toBe(4);
    await d.restart();
    const kept = d.switchboard.audit.queries.list({}).records;
    expect(kept).toHaveLength(2);
    expect(kept.map((r) => (JSON.parse(r.arguments!) as { a: number }).a).sort()).toEqual([3, 4]);
    expect((await d.api['policy.effective']({})).settings['audit.maxRows']).toMatchObject({ value: 2, source: 'managed', locked: true });
  });
});
