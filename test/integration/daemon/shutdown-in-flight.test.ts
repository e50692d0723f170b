// Stopping the daemon (SIGTERM, as `switchboard serve` gets it) while calls are in flight: each
// client gets a JSON-RPC error that says the daemon is stopping and the result is unknown —
// the SDK client over HTTP (its progress stream carries the answer before it ends), and the
// client of `switchboard bridge` — and the bridge then exits non-zero with the reason on stderr.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { EVERYTHING_SERVER, SWITCHBOARD_BIN, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { until } from '../../support/until.ts';

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await startTestDaemon({ servers: [{ id: 'ev', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }] });
});

afterAll(async () => {
  await daemon?.stop();
});

/** Rejects instead of hanging when `promise` does not settle in time (the defect was a hang). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms))]);
}

describe('the daemon stopping with calls in flight', () => {
  it('answers the HTTP and the bridge client with why, and the bridge exits non-zero', async () => {
    // HTTP: an SDK client whose call streams progress (an SSE stream, not a JSON body).
    const http = await daemon.httpClient('ev');
    let httpProgress = false;
    const httpCall = http.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 60, steps: 120 } }, undefined, {
      onprogress: () => {
        httpProgress = true;
      },
      timeout: 120_000,
    }).then(() => 'resolved', (error: unknown) => error);

    // Bridge: spawned as a client spawns it, spoken to in raw lines so its output and exit are seen.
    const bridge = spawn(process.execPath, [SWITCHBOARD_BIN, 'bridge', 'ev', '--data-dir', daemon.dataDir, '--no-start'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const fromBridge: Array<{ id?: unknown; method?: string; error?: { code: number; message: string }; result?: unknown }> = [];
    createInterface({ input: bridge.stdout! }).on('line', (line) => fromBridge.push(JSON.parse(line)));
    let bridgeStderr = '';
    bridge.stderr!.setEncoding('utf8').on('data', (text: string) => {
      bridgeStderr += text;
    });
    const bridgeExit = new Promise<number | null>((resolve) => bridge.once('exit', (code) => resolve(code)));
    const send = (message: unknown) => bridge.stdin!.write(`${JSON.stringify(message)}\n`);
    send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-bridge-client', version: '1' } } });
    await until(() => fromBridge.some((m) => m.id === 0), { timeoutMs: 15_000 });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 'long', method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: 60, steps: 120 }, _meta: { progressToken: 'p' } } });

    await until(() => httpProgress && fromBridge.some((m) => m.method === 'notifications/progress'), { timeoutMs: 15_000 });
    const stoppedAt = Date.now();
    process.kill(daemon.pid, 'SIGTERM');

    const httpError = await within(httpCall, 10_000, 'the HTTP call');
    expect(httpError).toBeInstanceOf(McpError);
    expect((httpError as McpError).code).toBe(-32002);
    expect((httpError as McpError).message).toContain('the Switchboard daemon is stopping');
    expect((httpError as McpError).message).toContain('is unknown');

    expect(await within(bridgeExit, 10_000, 'the bridge')).not.toBe(0);
    const answer = fromBridge.find((m) => m.id === 'long');
    expect(answer?.error?.code).toBe(-32002);
    expect(answer?.error?.message).toContain('the Switchboard daemon is stopping');
    expect(fromBridge.filter((m) => m.id === 'long')).toHaveLength(1);
    expect(bridgeStderr).toMatch(/^switchboard bridge: .*daemon closed the connection/);

    await until(() => !daemon.alive(), { timeoutMs: 10_000 });
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    await http.close().catch(() => undefined);
  });
});
