// `switchboard bridge <id>`: what a client such as Claude Desktop spawns. After the handshake
// it pipes raw bytes between stdio and the daemon's socket (no parsing on the hot path). It
// starts the daemon when none answers, and fails closed: when the daemon stays unreachable,
// every request read from stdin is answered with an error that says why and what to do.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ProxyErrorCode } from '../relay/interceptor.ts';
import { LineReader, errorResponse, problemResponse, serialize } from '../relay/ndjson.ts';
import { readDaemonInfo, socketPathFor } from './daemon-file.ts';
import { handshakeLine } from './socket-endpoint.ts';

export interface BridgeOptions {
  dataDir: string;
  serverId: string;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Start the daemon when none answers (default true). */
  startDaemon?: boolean;
  /** How long to wait for a daemon it started (default 10 s). */
  waitMs?: number;
  clientLabel?: string;
}

const SWITCHBOARD_BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

/** Resolves with the exit code once stdin or the daemon connection ends. */
export async function runBridge(options: BridgeOptions): Promise<number> {
  const socketPath = socketPathFor(options.dataDir);
  let socket = await tryConnect(socketPath);
  let why = `nothing listens on ${socketPath}`;
  if (!socket && (options.startDaemon ?? true)) {
    const started = await startDaemonAndWait(options, socketPath);
    socket = started.socket;
    if (!socket) why = started.why;
  }
  if (!socket) return failClosed(options, why);
  return pipe(socket, options);
}

function tryConnect(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

async function startDaemonAndWait(options: BridgeOptions, socketPath: string): Promise<{ socket?: Socket; why: string }> {
  const logFile = join(options.dataDir, 'daemon.log');
  let exited: string | undefined;
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const fd = openSync(logFile, 'a', 0o600);
    const child = spawn(process.execPath, [SWITCHBOARD_BIN, 'serve', '--data-dir', options.dataDir], {
      detached: true,
      stdio: ['ignore', fd, fd],
      windowsHide: true,
    });
    closeSync(fd);
    child.once('exit', (code, signal) => {
      exited = `the daemon it started exited (${signal ? `signal ${signal}` : `code ${code}`}): ${lastLines(logFile)}`;
    });
    child.once('error', (error) => {
      exited = `could not start the daemon: ${error.message}`;
    });
    child.unref();
  } catch (error) {
    return { why: `could not start the daemon: ${(error as Error).message}` };
  }
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  while (Date.now() < deadline) {
    const socket = await tryConnect(socketPath);
    if (socket) return { socket, why: '' };
    // Our daemon may have exited because another bridge's daemon won the race: keep waiting for that one.
    if (exited && !readDaemonInfo(options.dataDir)) return { why: exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { why: `the daemon it started did not open ${socketPath} within ${options.waitMs ?? 10_000} ms (see ${logFile})` };
}

function lastLines(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}

function pipe(socket: Socket, options: BridgeOptions): Promise<number> {
  return new Promise((resolve) => {
    socket.setNoDelay(true);
    socket.write(handshakeLine({ server: options.serverId, client: options.clientLabel ?? 'bridge' }));
    options.stdin.pipe(socket);
    socket.pipe(options.stdout, { end: false });
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      options.stdin.unpipe(socket);
      resolve(code);
    };
    socket.on('error', (error) => {
      options.stderr.write(`switchboard bridge: connection to the daemon failed: ${error.message}\n`);
      finish(1);
    });
    socket.on('close', () => finish(0));
    options.stdin.on('end', () => {
      // Give the daemon a moment to deliver answers to the last requests, then hang up.
      socket.end();
    });
  });
}

function failClosed(options: BridgeOptions, why: string): Promise<number> {
  const message = `switchboard daemon is unreachable for server '${options.serverId}': ${why}. Start it with \`switchboard serve --data-dir "${options.dataDir}"\` (or open the MCP Switchboard app) and restart this client.`;
  options.stderr.write(`switchboard bridge: ${message}\n`);
  return new Promise((resolve) => {
    const reader = new LineReader({
      message: (msg) => {
        if ('method' in msg && 'id' in msg && msg.id !== undefined) {
          options.stdout.write(serialize(errorResponse(msg.id, ProxyErrorCode.ServerUnavailable, message)));
        }
      },
      problem: (problem) => options.stdout.write(serialize(problemResponse(problem))),
    });
    options.stdin.on('data', (chunk: Buffer | string) => reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    options.stdin.on('end', () => resolve(1));
    options.stdin.on('error', () => resolve(1));
  });
}
