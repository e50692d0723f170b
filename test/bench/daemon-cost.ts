// Ad-hoc: the daemon's own CPU per tools/call, for A/B runs of daemon changes. The SDK client of the
// bench spends more CPU than the daemon and shares the two cores with it, so its figures move with
// whatever else the machine does; here the calls come from a few raw sockets (pre-built HTTP/1.1
// requests on keep-alive connections, or NDJSON lines on the local socket as the bridge would
// write them), the load leaves CPU idle, and the figure is the median of several repetitions.
//   node test/bench/daemon-cost.ts http|socket [repetitions] [calls]
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { startTestDaemon } from '../support/daemon.ts';
import { handshakeLine } from '../../main/endpoints/socket-endpoint.ts';
import { echoServer } from './peers.ts';
import { cpuSeconds } from './processes.ts';

const [path = 'http', repetitionsArg = '7', callsArg = '4000'] = process.argv.slice(2);
const repetitions = Number(repetitionsArg);
const calls = Number(callsArg);
const CONCURRENCY = 16;
function cpuTotal(pid: number): number {
  const { user, system } = cpuSeconds(pid);
  return user + system;
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'daemon-cost', version: '1' } } };
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: `call ${id}` } } });

/** One connection that answers one message at a time: write it, resolve with the next complete answer. */
interface Lane {
  send(message: object): Promise<string>;
  close(): void;
}

function httpLane(port: number, headers: Record<string, string>): Promise<Lane> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let waiting: ((answer: string) => void) | undefined;
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString();
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      const body = buffer.subarray(end + 4, end + 4 + length).toString();
      buffer = buffer.subarray(end + 4 + length);
      waiting?.(`${head.slice(9, 12)} ${body}`);
    });
    socket.once('error', reject);
    socket.once('connect', () => resolve({
      send(message) {
        const body = JSON.stringify(message);
        const lines = Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)) }).map(([k, v]) => `${k}: ${v}`);
        socket.write(`POST /mcp/echo HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
        return new Promise((done) => { waiting = done; });
      },
      close: () => socket.destroy(),
    }));
  });
}

function socketLane(socketPath: string): Promise<Lane> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let text = '';
    const waiting = new Map<number, (answer: string) => void>();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      let newline: number;
      while ((newline = text.indexOf('\n')) >= 0) {
        const line = text.slice(0, newline);
        text = text.slice(newline + 1);
        const id = (JSON.parse(line) as { id?: unknown }).id;
        if (typeof id === 'number') {
          waiting.get(id)?.(line);
          waiting.delete(id);
        }
      }
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(handshakeLine({ server: 'echo', client: 'daemon-cost' }));
      resolve({
        send(message) {
          socket.write(`${JSON.stringify(message)}\n`);
          const id = (message as { id?: unknown }).id;
          return typeof id === 'number' ? new Promise((done) => waiting.set(id, done)) : Promise.resolve('');
        },
        close: () => socket.destroy(),
      });
    });
  });
}

const daemon = await startTestDaemon({ servers: [{ id: 'echo', transport: 'stdio', command: process.execPath, args: [echoServer] }] });
try {
  const headers: Record<string, string> = {
    authorization: `Bearer ${daemon.clientToken}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  let lanes: Lane[];
  if (path === 'http') {
    // The session is opened with fetch (its answers may be streams); the calls' answers are JSON.
    const url = `http://127.0.0.1:${daemon.httpPort}/mcp/echo`;
    const opened = await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialize) });
    await opened.text();
    headers['mcp-session-id'] = opened.headers.get('mcp-session-id') ?? '';
    if (!opened.ok || !headers['mcp-session-id']) throw new Error(`initialize: HTTP ${opened.status}`);
    await (await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialized) })).text();
    lanes = await Promise.all(Array.from({ length: CONCURRENCY }, () => httpLane(daemon.httpPort, headers)));
  } else if (path === 'socket') {
    // One session, as the bridge has: the lanes share its socket.
    const lane = await socketLane(daemon.socketPath);
    await lane.send(initialize);
    await lane.send(initialized);
    lanes = Array.from({ length: CONCURRENCY }, () => lane);
  } else {
    throw new Error(`unknown path ${path}: http or socket`);
  }

  let nextId = 1;
  const run = async (count: number) => {
    let left = count;
    await Promise.all(lanes.map(async (lane) => {
      while (left-- > 0) {
        const id = nextId++;
        const answer = await lane.send(call(id));
        if (!answer.includes(`call ${id}`)) throw new Error(`unexpected answer: ${answer.slice(0, 300)}`);
      }
    }));
  };
  await run(6000); // warm-up: the first few thousand calls still run partly unoptimized code
  // Every session has a server process of its own, and the daemon keeps a probe session.
  const servers = () => childPids(daemon.pid).reduce((sum, pid) => sum + cpuTotal(pid), 0);
  const perCall: Array<{ daemon: number; server: number; rate: number }> = [];
  for (let i = 0; i < repetitions; i++) {
    const daemon0 = cpuTotal(daemon.pid);
    const server0 = servers();
    const started = performance.now();
    await run(calls);
    const seconds = (performance.now() - started) / 1000;
    perCall.push({ daemon: ((cpuTotal(daemon.pid) - daemon0) * 1e6) / calls, server: ((servers() - server0) * 1e6) / calls, rate: calls / seconds });
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(`${path}: daemon ${median(perCall.map((r) => r.daemon)).toFixed(0)} µs/call (runs: ${perCall.map((r) => r.daemon.toFixed(0)).join(' ')}), ` +
    `server ${median(perCall.map((r) => r.server)).toFixed(0)} µs/call, ${median(perCall.map((r) => r.rate)).toFixed(0)} calls/s`);
  for (const lane of new Set(lanes)) lane.close();
} finally {
  await daemon.stop();
}
