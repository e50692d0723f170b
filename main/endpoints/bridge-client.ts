// `switchboard bridge <id>`: what a client such as Claude Desktop spawns. After the handshake
// it pipes raw bytes between stdio and the daemon's socket, only noting the ids of requests
// not yet answered. It starts the daemon when none answers, and fails closed: when the daemon
// stays unreachable, every request read from stdin is answered with an error that says why and
// what to do; when the daemon goes away mid-session, so is every request still unanswered.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { fileURLToPath } from 'node:url';
import { ProxyErrorCode } from '../relay/interceptor.ts';
import { LineReader, errorResponse, problemResponse, serialize } from '../base/ndjson.ts';
import { readDaemonInfo, socketPathFor } from './daemon-file.ts';
import { PACKAGED_CLI_FLAG } from '../../shared/packaged-cli.ts';
import { handshakeLine } from './socket-endpoint.ts';

export interface BridgeOptions {
  dataDir: string;
  /** The server to relay to; or, instead, */
  serverId?: string;
  /** the profile whose federated session to relay to (`bridge --profile`). */
  profile?: string;
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
    // The packaged app binary is Electron with runAsNode off: it runs the CLI when told by its first argument.
    const entry = process.versions.electron ? PACKAGED_CLI_FLAG : SWITCHBOARD_BIN;
    const child = spawn(process.execPath, [entry, 'serve', '--data-dir', options.dataDir], {
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
    socket.write(handshakeLine({ ...(options.profile !== undefined ? { profile: options.profile } : { server: options.serverId ?? '' }), client: options.clientLabel ?? 'bridge' }));
    // The bytes still go through untouched (pipe); the tracker only watches them go by.
    const outstanding = new OutstandingRequests();
    options.stdin.on('data', (chunk: Buffer | string) => outstanding.fromClient(chunk));
    socket.on('data', (chunk: Buffer) => outstanding.fromDaemon(chunk));
    options.stdin.pipe(socket);
    socket.pipe(options.stdout, { end: false });
    let done = false;
    let clientDone = false;
    let failure: string | undefined;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      options.stdin.unpipe(socket);
      resolve(code);
    };
    socket.on('error', (error) => {
      failure = `the connection to the daemon failed: ${error.message}`;
    });
    socket.on('close', () => {
      if (clientDone && failure === undefined) return finish(0);
      // The daemon went away while the client still talks to it: fail closed, and say so.
      const why = `${failure ?? 'the Switchboard daemon closed the connection (it stopped or crashed)'}`;
      const ids = outstanding.pending();
      if (outstanding.midLine) options.stdout.write('\n');
      for (const id of ids) {
        options.stdout.write(serialize(errorResponse(id, ProxyErrorCode.ServerUnavailable,
          `switchboard bridge for ${target(options)}: ${why}; the result of this request is unknown (it may or may not have run): retry once the daemon is back`)));
      }
      options.stderr.write(`switchboard bridge: ${why} while serving ${target(options)}${ids.length > 0 ? ` with ${ids.length} request(s) unanswered` : ''}; restart this client once the daemon runs again (\`switchboard serve\` or the app)\n`);
      finish(1);
    });
    options.stdin.on('end', () => {
      clientDone = true;
      // Give the daemon a moment to deliver answers to the last requests, then hang up.
      socket.end();
    });
  });
}

/**
 * The ids of the client's requests the daemon has not answered, so the bridge can answer them
 * itself if the daemon goes away. Lines are split on Buffers and parsed only when complete;
 * the bytes themselves are piped untouched by the caller.
 */
class OutstandingRequests {
  private readonly ids = new Set<RequestId>();
  private readonly client = new LineSplitter((line) => {
    // The SDK's key order, read from the line's ends only: {"method":…,"jsonrpc":"2.0","id":X}.
    const head = line.toString('latin1', 0, 32);
    if (head.startsWith('{"method":"')) {
      const id = tailId(line);
      if (id !== undefined) {
        this.ids.add(id);
        return;
      }
      // A notification: only a cancel matters (the daemon owes it no answer then).
      if (!head.startsWith('{"method":"notifications/') || line.includes('notifications/cancelled')) this.parsed(line, true);
      return;
    }
    if (head.startsWith('{"result":') || head.startsWith('{"error":')) return; // an answer to the server
    this.parsed(line, true);
  });
  private readonly daemon = new LineSplitter((line) => {
    if (this.ids.size === 0) return;
    const head = line.toString('latin1', 0, 64);
    if (head.startsWith('{"method":"')) return; // a notification or a server's request
    if (head.startsWith('{"result":') || head.startsWith('{"error":')) {
      const id = tailId(line);
      if (id !== undefined) {
        this.ids.delete(id);
        return;
      }
    } else {
      const match = HEAD_RESPONSE.exec(head);
      if (match) {
        this.ids.delete(toId(match[1]!));
        return;
      }
    }
    this.parsed(line, false);
  });

  /** The slow path, for key orders other than the usual ones: the whole line is parsed. */
  private parsed(line: Buffer, fromClient: boolean): void {
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch {
      return;
    }
    for (const message of Array.isArray(value) ? value : [value]) {
      if (fromClient) this.sent(message);
      else this.answered(message);
    }
  }

  private sent(message: unknown): void {
    const { method, id, params } = (message ?? {}) as { method?: unknown; id?: unknown; params?: { requestId?: unknown } };
    if (typeof method !== 'string') return;
    if (isId(id)) this.ids.add(id);
    // A cancelled request gets no answer from the daemon; nor should it get one from us.
    else if (method === 'notifications/cancelled' && isId(params?.requestId)) this.ids.delete(params.requestId);
  }

  private answered(message: unknown): void {
    const { method, id } = (message ?? {}) as { method?: unknown; id?: unknown };
    if (method === undefined && isId(id)) this.ids.delete(id);
  }

  fromClient(chunk: Buffer | string): void {
    this.client.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }

  fromDaemon(chunk: Buffer): void {
    this.daemon.push(chunk);
  }

  /** Whether the daemon's output stopped in the middle of a line. */
  get midLine(): boolean {
    return this.daemon.partial;
  }

  pending(): RequestId[] {
    return [...this.ids];
  }
}

class LineSplitter {
  private rest: Buffer[] = [];
  private readonly onLine: (line: Buffer) => void;

  constructor(onLine: (line: Buffer) => void) {
    this.onLine = onLine;
  }

  get partial(): boolean {
    return this.rest.length > 0;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      if (this.rest.length > 0) {
        this.rest.push(piece);
        const line = Buffer.concat(this.rest);
        this.rest = [];
        this.onLine(line);
      } else if (piece.length > 0) {
        this.onLine(piece);
      }
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) this.rest.push(chunk.subarray(start));
  }
}

// An id made of plain ASCII (digits, or a string without quotes, escapes or other bytes):
// anything else takes the slow path.
const ID = String.raw`(-?\d{1,16}|"[\x20\x21\x23-\x5b\x5d-\x7e]{0,64}")`;
/** `,"id":X}` ending the line: the last member of the top-level object (the SDK's order). */
const TAIL_ID = new RegExp(`,"id":${ID}\\}\\r?$`);
/** `{"jsonrpc":"2.0","id":X,"result"` or `"error"`: a response in the other common order. */
const HEAD_RESPONSE = new RegExp(`^\\{"jsonrpc":"2\\.0","id":${ID},"(?:result|error)":`);

function tailId(line: Buffer): RequestId | undefined {
  const match = TAIL_ID.exec(line.toString('latin1', Math.max(0, line.length - 80)));
  return match ? toId(match[1]!) : undefined;
}

function target(options: BridgeOptions): string {
  return options.profile !== undefined ? `profile '${options.profile}'` : `server '${options.serverId ?? ''}'`;
}

function toId(text: string): RequestId {
  return text.startsWith('"') ? text.slice(1, -1) : Number(text);
}

function isId(id: unknown): id is RequestId {
  return typeof id === 'string' || typeof id === 'number';
}

function failClosed(options: BridgeOptions, why: string): Promise<number> {
  const message = `switchboard daemon is unreachable for ${target(options)}: ${why}. Start it with \`switchboard serve --data-dir "${options.dataDir}"\` (or open the MCP Switchboard app) and restart this client.`;
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
