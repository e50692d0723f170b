// A managed policy that names the enterprise gateway takes effect without a restart: the
// forwarder turns on (or moves) when a new managed document is loaded, and back off without one.
import { afterEach, describe, expect, it } from 'vitest';
import { startPolicyDaemon, type PolicyDaemon } from '../../support/policy-fixture.ts';
import { until } from '../../support/until.ts';

let daemon: PolicyDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

describe('gateway named by the managed policy', () => {
  it('reconfigures the forwarder when the policy changes, with no restart', async () => {
    daemon = await startPolicyDaemon({ managed: {}, autoStart: false });
    const forwarder = daemon.switchboard.forwarder;
    expect(forwarder.status()).toMatchObject({ enabled: false });

    await daemon.writeManaged({ gateway: { url: 'http://127.0.0.1:9/gateway-a' } });
    await daemon.api['policy.reload']({});
    expect(await until(() => forwarder.status(), { done: (s) => s.enabled, what: 'the forwarder to turn on' })).toMatchObject({ url: 'http://127.0.0.1:9/gateway-a' });

    await daemon.writeManaged({ gateway: { url: 'http://127.0.0.1:9/gateway-b' } });
    await daemon.api['policy.reload']({});
    expect(await until(() => forwarder.status(), { done: (s) => s.url === 'http://127.0.0.1:9/gateway-b', what: 'the forwarder to move' })).toMatchObject({ enabled: true });

    await daemon.writeManaged({});
    await daemon.api['policy.reload']({});
    expect(await until(() => forwarder.status(), { done: (s) => !s.enabled, what: 'the forwarder to turn off' })).toMatchObject({ enabled: false });
  });
});
