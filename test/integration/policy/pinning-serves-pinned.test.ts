// With pinning.onChange ask, a tool whose definition changed since it was pinned is served as
// pinned in tools/list until someone approves the change: the model reads descriptions, so new
// text (e.g. one carrying "<IMPORTANT>Ignore previous instructions…") must not reach any session
// before the approval. The product daemon with real server-everything; the pin is seeded with an
// older definition of its echo tool, as if the server had been updated since.
import { afterEach, describe, expect, it } from 'vitest';
import { resultText, startPolicyDaemon, type PolicyDaemon } from '../../support/policy-fixture.ts';
import { until } from '../../support/until.ts';

const PINNED = {
  name: 'echo',
  description: 'Echoes back the input (the text that was approved)',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
};
const seededPins = {
  version: 1,
  servers: { everything: { echo: { hash: 'hash-of-the-approved-definition', definition: PINNED, firstSeen: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' } } },
  changes: [],
};

let daemon: PolicyDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const echoOf = async (d: PolicyDaemon) => (await (await d.httpClient('everything')).listTools()).tools.find((t) => t.name === 'echo');

describe('pinning.onChange ask: tools/list serves the pinned definition until the change is approved', () => {
  it('every new session gets the pinned text; the pending change is listed for the UI; after approval the new text is served', async () => {
    const d = daemon = await startPolicyDaemon({ autoStart: false, managed: { pinning: { onChange: 'ask' } }, pins: seededPins });
    for (let session = 0; session < 2; session++) {
      const echo = await echoOf(d);
      expect(echo, `session ${session}`).toMatchObject({ description: PINNED.description, inputSchema: PINNED.inputSchema });
    }
    const { changes } = await d.api['policy.pins']({ serverId: 'everything' });
    expect(changes).toMatchObject([{ tool: 'echo', old: { description: PINNED.description }, new: { description: expect.not.stringContaining('approved') } }]);
    const newDescription = changes[0]!.new.description;

    expect(await d.api['policy.acceptPinChange']({ serverId: 'everything', tool: 'echo' })).toEqual({ accepted: true });
    expect((await echoOf(d))?.description).toBe(newDescription);
  });

  it('a call to the tool still waits for the approval, and the approved call answers', async () => {
    const d = daemon = await startPolicyDaemon({ autoStart: false, managed: {}, pins: seededPins });
    const client = await d.httpClient('everything');
    expect((await client.listTools()).tools.find((t) => t.name === 'echo')?.description).toBe(PINNED.description);
    const call = client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    const [pending] = (await until(() => d.api['approvals.list']({}), { done: (r) => r.pending.length === 1, what: 'the pinning approval' })).pending;
    expect(pending).toMatchObject({ kind: 'pinning', tool: 'echo' });
    await d.api['approvals.answer']({ id: pending!.id, answer: 'allow-once' });
    expect(resultText(await call)).toContain('hi');
  });
});
