// An SDK Transport to a stdio MCP server. The child runs in its own process group so that
// close() ends the whole tree (npx → node → server); the last stderr lines are kept for the
// error a client sees when the server dies. It starts with its own environment
// (server-environment.ts), not the daemon's, and its command is found as other MCP clients find
// it (command-resolution.ts: PATHEXT and .cmd shims on Windows).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_MAX_MESSAGE_BYTES, LineReader, problemResponse, serialize, writeCoalesced } from '../base/ndjson.ts';
import type { UpstreamFailure, UpstreamTransport } from '../relay/upstream-transport.ts';
import { commandNotFoundMessage, findCommand, resolveCommand } from './command-resolution.ts';
import { killProcessTree } from './process-tree.ts';
import { serverEnvironment } from './server-environment.ts';
import type { WrapLaunch } from '../sandbox/sandbox-launch.ts';

export type ResolveSecret = (name: string) => Promise<string>;

export const noSecretStore: ResolveSecret = async (name) => {
  throw new Error(`no secret store: cannot resolve secret "${name}"`);
};

export interface ChildProcessTransportOptions {
  command: string;
  args: string[];
  /** The server's own variables, on top of the default set (server-environment.ts). */
  env?: Record<string, string>;
  /** Names passed on from the daemon's environment besides the default set. */
  inheritEnv?: readonly string[];
  /** The daemon's environment (default process.env) and platform (default process.platform); tests inject them. */
  parentEnv?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  cwd?: string;
  maxMessageBytes?: number;
  stderrLines?: number;
  /** How long SIGTERM gets before SIGKILL. */
  killGraceMs?: number;
  /** Runs the server in its sandbox (main/sandbox/): the launch it returns replaces command, args and the whole environment. */
  sandbox?: WrapLaunch;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ChildProcessTransport implements UpstreamTransport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly options: ChildProcessTransportOptions;
  private child: ChildProcess | undefined;
  private readonly stderr: string[] = [];
  private stderrPartial = '';
  private exit: ExitInfo | undefined;
  private closing = false;
  private closed = false;

  constructor(options: ChildProcessTransportOptions) {
    this.options = options;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  stderrTail(): string[] {
    return this.stderrPartial ? [...this.stderr, this.stderrPartial] : [...this.stderr];
  }

  failure(): UpstreamFailure {
    const exit = this.exit;
    let summary = 'closed its connection';
    if (exit?.signal) summary = `crashed (signal ${exit.signal})`;
    else if (exit && exit.code !== null) summary = `exited (code ${exit.code})`;
    return { summary, stderrTail: this.stderrTail() };
  }

  start(): Promise<void> {
    if (this.child) throw new Error('ChildProcessTransport already started');
    const platform = this.options.platform ?? process.platform;
    const env = serverEnvironment({
      parent: this.options.parentEnv ?? process.env,
      platform,
      ...(this.options.inheritEnv ? { inherit: this.options.inheritEnv } : {}),
      ...(this.options.env ? { configured: this.options.env } : {}),
    });
    const lookup = { platform, env, ...(this.options.cwd ? { cwd: this.options.cwd } : {}) };
    const notFound = () => new Error(`cannot start "${this.options.command}": ${commandNotFoundMessage(this.options.command, lookup)}`);
    // Windows runs an unknown name through cmd.exe, which would only say so on stderr.
    if (platform === 'win32' && !findCommand(this.options.command, lookup)) return Promise.reject(notFound());
    const resolved = resolveCommand(this.options.command, this.options.args, lookup);
    return new Promise((resolve, reject) => {
      // A sandboxed server gets what its config names (env and inheritEnv), inside bwrap, which sets
      // its own PATH, HOME and TMPDIR; an unconfined one the default set, inheritEnv and its env.
      const launch = this.options.sandbox
        ? { ...this.options.sandbox({ command: this.options.command, args: this.options.args, ...(this.options.cwd ? { cwd: this.options.cwd } : {}), env: { ...inherited(this.options.parentEnv ?? process.env, this.options.inheritEnv), ...this.options.env } }), windowsVerbatimArguments: false }
        : { command: resolved.command, args: resolved.args, cwd: this.options.cwd, env, windowsVerbatimArguments: resolved.windowsVerbatimArguments };
      const child = spawn(launch.command, launch.args, {
        cwd: launch.cwd,
        env: launch.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        windowsHide: true,
        windowsVerbatimArguments: launch.windowsVerbatimArguments,
      });
      this.child = child;
      const reader = new LineReader({
        message: (message) => this.onmessage?.(message),
        problem: (problem) => {
          if (problem.kind === 'oversize' && problem.id !== null) this.onmessage?.(problemResponse(problem));
          else this.onerror?.(new Error(`server wrote an unusable line on stdout (${problem.kind})`));
        },
      }, this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
      child.stdout!.on('data', (chunk: Buffer) => reader.push(chunk));
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => this.recordStderr(text));
      child.stdin!.on('error', (error) => this.onerror?.(error));
      child.once('spawn', () => resolve());
      child.once('error', (error) => {
        this.exit ??= { code: null, signal: null };
        this.stderr.push(`spawn failed: ${error.message}`);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && this.options.cwd && !existsSync(this.options.cwd)) {
          reject(new Error(`cannot start "${this.options.command}": its working directory ${this.options.cwd} does not exist`));
        } else if (code === 'ENOENT') reject(notFound());
        else reject(new Error(`cannot start "${this.options.command}": ${error.message}`));
        this.finish();
      });
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
      });
      // 'close' waits for stdio to drain, so every message the server wrote is delivered first.
      child.once('close', (code, signal) => {
        this.exit ??= { code, signal };
        this.finish();
      });
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.closed || stdin.destroyed) throw new Error('server process is not running');
    writeCoalesced(stdin, serialize(message));
  }

  async close(): Promise<void> {
    if (this.closed || !this.child) {
      this.finish();
      return;
    }
    this.closing = true;
    const child = this.child;
    const done = new Promise<void>((resolve) => {
      if (this.closed) resolve();
      else child.once('close', () => resolve());
    });
    child.stdin?.end();
    killTree(child, 'SIGTERM');
    const timer = setTimeout(() => killTree(child, 'SIGKILL'), this.options.killGraceMs ?? 2000);
    // Do not hang on a process that ignores even SIGKILL's group (should not happen).
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, (this.options.killGraceMs ?? 2000) + 1000).unref());
    await Promise.race([done, deadline]);
    clearTimeout(timer);
    this.finish();
  }

  /** True when close() was asked for, as opposed to the server dying by itself. */
  get closedOnPurpose(): boolean {
    return this.closing;
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    // The group may still hold grandchildren after the direct child exited.
    if (this.child) killTree(this.child, 'SIGKILL');
    this.onclose?.();
  }

  private recordStderr(text: string): void {
    const limit = this.options.stderrLines ?? 50;
    const lines = (this.stderrPartial + text).split('\n');
    this.stderrPartial = lines.pop() ?? '';
    for (const line of lines) {
      this.stderr.push(line.length > 1000 ? `${line.slice(0, 1000)}…` : line);
      if (this.stderr.length > limit) this.stderr.shift();
    }
    if (this.stderrPartial.length > 4000) {
      this.stderr.push(this.stderrPartial.slice(0, 1000));
      this.stderrPartial = '';
    }
  }
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  // taskkill /T finds the tree through a live parent; once it is gone its pid may be another's.
  if (process.platform === 'win32' && (child.exitCode !== null || child.signalCode !== null)) return;
  killProcessTree(child.pid, signal);
}

/** The variables a server's `inheritEnv` names, as the daemon has them. */
function inherited(parent: NodeJS.ProcessEnv, names: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names ?? []) {
    const value = parent[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
