// Runs @modelcontextprotocol/conformance's server scenarios against a URL in a child process and reads
// back every check it recorded (`<output-dir>/server-<scenario>-<timestamp>/checks.json`).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const runnerBin = join(repoRoot, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const authPreload = join(repoRoot, 'test/support/conformance-auth.ts');

export type CheckStatus = 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';

export interface ConformanceCheck {
  id: string;
  name: string;
  status: CheckStatus;
  errorMessage?: string;
  details?: Record<string, unknown>;
}

export interface ConformanceRun {
  /** Scenario name → the checks it recorded, in order. */
  scenarios: Map<string, ConformanceCheck[]>;
  exitCode: number | null;
  output: string;
}

export interface ConformanceOptions {
  url: string;
  /** Sent as `Authorization: Bearer …` on every request to the URL's origin (see conformance-auth.ts). */
  bearerToken?: string;
  /** `active` (the runner's default), `pending` or `all`. */
  suite?: 'active' | 'pending' | 'all';
  scenario?: string;
  timeoutMs?: number;
}

const TIMESTAMP_SUFFIX = /-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

export async function runConformance(options: ConformanceOptions): Promise<ConformanceRun> {
  const outputDir = await mkdtemp(join(tmpdir(), 'switchboard-conformance-'));
  try {
    const args: string[] = [];
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (options.bearerToken !== undefined) {
      args.push('--import', authPreload);
      env.SWITCHBOARD_CONFORMANCE_TOKEN = options.bearerToken;
      env.SWITCHBOARD_CONFORMANCE_ORIGIN = new URL(options.url).origin;
    }
    args.push(runnerBin, 'server', '--url', options.url, '--output-dir', outputDir, '--suite', options.suite ?? 'all');
    if (options.scenario) args.push('--scenario', options.scenario);

    const { exitCode, output } = await new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`conformance runner timed out after ${options.timeoutMs ?? 120_000} ms\n${output}`));
      }, options.timeoutMs ?? 120_000);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code, output });
      });
    });

    const scenarios = new Map<string, ConformanceCheck[]>();
    for (const entry of (await readdir(outputDir)).sort()) {
      const scenario = entry.replace(/^server-/, '').replace(TIMESTAMP_SUFFIX, '');
      const raw = await readFile(join(outputDir, entry, 'checks.json'), 'utf8').catch(() => undefined);
      if (raw !== undefined) scenarios.set(scenario, JSON.parse(raw) as ConformanceCheck[]);
    }
    if (scenarios.size === 0) throw new Error(`conformance runner recorded no scenario (exit ${exitCode})\n${output}`);
    return { scenarios, exitCode, output };
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

/** The verdicts that matter (INFO entries are traces of the exchange), as `scenario/check → status`. */
export function verdicts(run: ConformanceRun): Map<string, CheckStatus> {
  const result = new Map<string, CheckStatus>();
  for (const [scenario, checks] of run.scenarios) {
    const seen = new Map<string, number>();
    for (const check of checks) {
      if (check.status === 'INFO') continue;
      const n = (seen.get(check.id) ?? 0) + 1;
      seen.set(check.id, n);
      result.set(`${scenario}/${check.id}${n > 1 ? `#${n}` : ''}`, check.status);
    }
  }
  return result;
}

/** `scenario/check: message` for every FAILURE, for readable assertion output. */
export function failures(run: ConformanceRun): string[] {
  const result: string[] = [];
  for (const [scenario, checks] of run.scenarios) {
    for (const check of checks) {
      if (check.status === 'FAILURE') result.push(`${scenario}/${check.id}: ${check.errorMessage ?? ''}`);
    }
  }
  return result;
}

/**
 * The SSE checks that the run reported as not applicable because the server answered with JSON
 * (the spec lets a server answer any POST either way): `scenario/check` ids, as in `verdicts`.
 * The suite says so with an INFO entry (server-sse-multiple-streams keeps the check's id;
 * server-sse-polling stops before its priming-event and retry-field checks).
 */
export function answeredWithJson(run: ConformanceRun): Set<string> {
  const result = new Set<string>();
  const streams = run.scenarios.get('server-sse-multiple-streams') ?? [];
  if (streams.some((check) => check.id === 'server-sse-streams-functional' && check.status === 'INFO' && check.details?.numSseStreams === 0)) {
    result.add('server-sse-multiple-streams/server-sse-streams-functional');
  }
  const polling = run.scenarios.get('server-sse-polling') ?? [];
  if (polling.some((check) => check.id === 'server-sse-content-type' && check.status === 'INFO')) {
    result.add('server-sse-polling/server-sse-priming-event');
    result.add('server-sse-polling/server-sse-retry-field');
  }
  return result;
}
