// The metrics registry: calls counted by bounded labels (tool names past the limit become
// `other`), durations in seconds, denials by source, rate-limited calls, and scrape-time gauges.
import { describe, expect, it } from 'vitest';
import { MAX_TOOLS_PER_SERVER, SwitchboardMetrics, type FinishedCall } from '../../../main/observability/metrics.ts';

const call = (over: Partial<FinishedCall> = {}): FinishedCall => ({ serverId: 's', method: 'tools/call', target: 't', clientName: 'c', outcome: 'ok', durationMs: 12, decision: 'allow', source: 'user', ...over });

describe('SwitchboardMetrics', () => {
  it(`keeps at most ${MAX_TOOLS_PER_SERVER} tool names per server, then counts the rest as other`, async () => {
    const metrics = new SwitchboardMetrics();
    for (let i = 0; i < MAX_TOOLS_PER_SERVER + 30; i++) metrics.call(call({ target: `tool_${i}` }));
    metrics.call(call({ serverId: 'another', target: 'tool_99' }));
    const { body } = await metrics.text();
    const tools = new Set([...body.matchAll(/switchboard_calls_total\{server="s",tool="([^"]+)"/g)].map((m) => m[1]));
    expect(tools.size).toBe(MAX_TOOLS_PER_SERVER + 1);
    expect(tools.has('other')).toBe(true);
    expect(body).toMatch(/switchboard_calls_total\{server="s",tool="other",method="tools\/call",client="c",outcome="ok"\} 30/);
    // Another server has a budget of its own.
    expect(body).toContain('switchboard_calls_total{server="another",tool="tool_99"');
  });

  it('observes durations in seconds, counts denials by source and rate-limited calls', async () => {
    const metrics = new SwitchboardMetrics();
    metrics.call(call({ durationMs: 40 }));
    metrics.call(call({ outcome: 'denied', source: 'managed', durationMs: 1 }));
    metrics.call(call({ outcome: 'rate_limited', durationMs: 0.5 }));
    metrics.authFailure('invalid token');
    metrics.restartTotal('s', 2);
    metrics.restartTotal('s', 3);
    metrics.registerGauge('switchboard_test_gauge', 'test', ['server'], () => [{ labels: { server: 's' }, value: 7 }]);
    const { body } = await metrics.text();
    expect(body).toMatch(/switchboard_call_duration_seconds_bucket\{le="0\.05",server="s",tool="t",method="tools\/call",client="c",outcome="ok"\} 1/);
    expect(body).toMatch(/switchboard_call_duration_seconds_bucket\{le="0\.025",server="s",tool="t",method="tools\/call",client="c",outcome="ok"\} 0/);
    expect(body).toContain('switchboard_denials_total{server="s",source="managed"} 1');
    expect(body).toContain('switchboard_rate_limited_total{server="s",tool="t"} 1');
    expect(body).toContain('switchboard_auth_failures_total{reason="invalid token"} 1');
    expect(body).toContain('switchboard_upstream_restarts_total{server="s"} 3');
    expect(body).toContain('switchboard_test_gauge{server="s"} 7');
  });

  it('counts a duration equal to a bound in that bucket (le is "less than or equal"), with the sum and count', async () => {
    const metrics = new SwitchboardMetrics();
    metrics.call(call({ durationMs: 50 }));
    metrics.call(call({ durationMs: 2000 }));
    metrics.call(call({ durationMs: 120_000 }));
    const { body } = await metrics.text();
    const bucket = (le: string) => Number(new RegExp(`switchboard_call_duration_seconds_bucket\\{le="${le.replace('.', '\\.').replace('+', '\\+')}",server="s",tool="t",method="tools/call",client="c",outcome="ok"\\} (\\d+)`).exec(body)?.[1]);
    expect([bucket('0.025'), bucket('0.05'), bucket('1'), bucket('2'), bucket('60'), bucket('+Inf')]).toEqual([0, 1, 1, 2, 2, 3]);
    expect(body).toContain('switchboard_call_duration_seconds_sum{server="s",tool="t",method="tools/call",client="c",outcome="ok"} 122.05');
    expect(body).toContain('switchboard_call_duration_seconds_count{server="s",tool="t",method="tools/call",client="c",outcome="ok"} 3');
  });
});
