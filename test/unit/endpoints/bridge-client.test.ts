// runBridge against a stand-in daemon on a real local socket: when the daemon's connection ends
// while the client still talks (daemon stopped or crashed), every request the daemon left
// unanswered gets a JSON-RPC error from the bridge, stderr says why, and the exit code is not 0.
// When the client hangs up first, the bridge ends quietly with 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runBridge } from '../../../main/endpoints/bridge-client.ts';
import { socketPathFor } from '../../../main/endpoints/daemon-file.ts';

let dataDir: string | undefined;
let server: Server | undefined;

afterEach(async () => {
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

/** A stand-in daemon: hands each line after the handshake to `onLine`. */
async function fakeDaemon(onLine: (line: string, socket: Socket) => void): Promise<string> {
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bridge-'));
  server = createServer((socket) => {
    let buffered = '';
    let handshake = true;
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (handshake) handshake = false;
        else onLine(line, socket);
        newline = buffered.indexOf('\n');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server!.listen(socketPathFor(dataDir!), () => resolve()));
  return dataDir;
}

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
  });
  return () => text;
}

/** Runs the bridge for server "ev" against the fake daemon in `dir`, on in-memory stdio. */
function bridge(dir: string): { stdin: PassThrough; out: () => string; err: () => string; exit: Promise<number> } {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  return { stdin, out, err, exit: runBridge({ dataDir: dir, serverId: 'ev', stdin, stdout, stderr, startDaemon: false }) };
}

const request = (id: number | string, name = 'slow') => `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: { id: 'not-the-id' } } })}\n`;

describe('switchboard bridge when the daemon goes away', () => {
  it('answers the requests left in flight, says why on stderr and exits non-zero', async () => {
    let seen = 0;
    const dir = await fakeDaemon((line, socket) => {
      seen++;
      const message = JSON.parse(line) as { id?: unknown; method: string };
      // Answers request 1 (in two writes), leaves 2 and "three" hanging, then dies mid-line.
      if (message.id === 1) {
        const answer = JSON.stringify({ result: { content: [] }, jsonrpc: '2.0', id: 1 });
        socket.write(answer.slice(0, 10));
        setTimeout(() => socket.write(`${answer.slice(10)}\n`), 10);
      }
      if (seen === 5) {
        setTimeout(() => socket.write('{"jsonrpc":"2.0","method":"notifications/progress"'), 40);
        setTimeout(() => socket.destroy(), 80);
      }
    });
    const { stdin, out, err, exit } = bridge(dir);
    stdin.write(request(1));
    stdin.write(request(2).slice(0, 7));
    stdin.write(request(2).slice(7) + request('three'));
    stdin.write(request(4));
    // The client gives up on 4: the daemon owes it no answer, and the bridge must not invent one.
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4 } })}\n`);

    expect(await exit).not.toBe(0);
    const lines = out().split('\n').filter((line) => line !== '');
    // The daemon's half line stays on its own line, so the client can still read the rest.
    expect(lines[0]).toBe(JSON.stringify({ result: { content: [] }, jsonrpc: '2.0', id: 1 }));
    expect(lines[1]).toBe('{"jsonrpc":"2.0","method":"notifications/progress"');
    const errors = lines.slice(2).map((line) => JSON.parse(line) as { id: unknown; error: { code: number; message: string } });
    expect(errors.map((e) => e.id)).toEqual([2, 'three']);
    for (const e of errors) {
      expect(e.error.code).toBe(-32002);
      expect(e.error.message).toContain('daemon closed the connection');
      expect(e.error.message).toContain('the result of this request is unknown');
    }
    expect(err()).toMatch(/^switchboard bridge: .*daemon closed the connection.* 2 request\(s\) unanswered.*\n$/);
    expect(err().split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('tracks ids in the SDK key order and in others alike (fast and slow paths)', async () => {
    const sdk = (id: unknown, extra = {}) => `${JSON.stringify({ method: 'tools/call', params: { name: 'x', arguments: { id: 99 }, ...extra }, jsonrpc: '2.0', id })}\n`;
    const dir = await fakeDaemon((line, socket) => {
      const message = JSON.parse(line) as { id?: unknown; method: string };
      if (message.id === 5) socket.write(`${JSON.stringify({ result: { content: [{ type: 'text', text: ',"id":6}' }] }, jsonrpc: '2.0', id: 5 })}\n`);
      if (message.id === 'seven') socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: 'seven', result: {} })}\n`);
      if (message.id === 'q"uote') socket.write(`${JSON.stringify({ id: 'q"uote', jsonrpc: '2.0', error: { code: 1, message: 'x' } })}\n`);
      if (message.id === 10) {
        // A server's own request whose id collides with a client request still in flight.
        socket.write(`${JSON.stringify({ method: 'sampling/createMessage', params: {}, jsonrpc: '2.0', id: 6 })}\n`);
        socket.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 }, id: 9 })}\n`);
        setTimeout(() => socket.destroy(), 50);
      }
    });
    const { stdin, out, exit } = bridge(dir);
    stdin.write(sdk(5) + sdk(6) + sdk('seven') + sdk('q"uote') + sdk(8) + sdk(9));
    stdin.write(`${JSON.stringify({ method: 'notifications/cancelled', params: { requestId: 8, reason: 'user' }, jsonrpc: '2.0' })}\n`);
    // The client's answer to a server request is not one of its own requests.
    stdin.write(`${JSON.stringify({ result: {}, jsonrpc: '2.0', id: 11 })}\n`);
    await new Promise((r) => setTimeout(r, 30));
    stdin.write(sdk(10));
    expect(await exit).toBe(1);
    const synthesized = out().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: unknown; error?: { message: string } })
      .filter((m) => m.error?.message.includes('daemon closed the connection'));
    expect(synthesized.map((m) => m.id)).toEqual([6, 9, 10]);
  });

  it('exits 0 without a word when the client hangs up first', async () => {
    const dir = await fakeDaemon((line, socket) => {
      const message = JSON.parse(line) as { id?: unknown };
      socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} })}\n`);
    });
    server!.on('connection', (socket) => socket.on('end', () => socket.end()));
    const { stdin, out, err, exit } = bridge(dir);
    stdin.write(request(1));
    await new Promise((r) => setTimeout(r, 50));
    stdin.end();
    expect(await exit).toBe(0);
    expect(out()).toBe(`${JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} })}\n`);
    expect(err()).toBe('');
  });
});
