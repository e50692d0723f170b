// The fake gateway in a process of its own, so the drain benchmark measures the forwarder and
// not the gateway's gunzip and JSON parsing on the same event loop. Prints its URL on the first
// line; answers each "count" line on stdin with the number of unique records received.
import { createInterface } from 'node:readline';
import { FakeGateway } from '../support/gateway.ts';

const gateway = new FakeGateway({ keep: false });
const url = await gateway.start();
process.stdout.write(`${url}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'count') process.stdout.write(`${gateway.uniqueCount()}\n`);
}
await gateway.stop();
