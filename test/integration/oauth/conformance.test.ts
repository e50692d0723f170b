// Runs every client scenario of @modelcontextprotocol/conformance (including auth/*) against the
// app's remote-server connection (test/conformance-client/client.ts) and compares the outcome with
// test/conformance-client/expected-failures.yml: an unexpected failure or an unexpected pass fails.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLIENT = join(ROOT, 'test', 'conformance-client', 'client.ts');
const EXPECTED = join(ROOT, 'test', 'conformance-client', 'expected-failures.yml');
const CONFORMANCE_BIN = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
/** Wall-clock checks not counted on a shared machine (see test/conformance-client/README.md). */
const TIMING_CHECKS = new Set(['client-sse-retry-timing']);

interface Check { id: string; status: string; errorMessage?: string }

/** Every client scenario the installed runner knows (`conformance list --client`). */
function listedScenarios(): string[] {
  const listing = execFileSync(process.execPath, [CONFORMANCE_BIN, 'list', '--client'], { encoding: 'utf8' });
  return listing.split('\n').map((l) => /^\s*-\s*(\S+)/.exec(l)?.[1]).filter((s): s is string => Boolean(s));
}

function expectedFailures(): string[] {
  return readFileSync(EXPECTED, 'utf8').split('\n').map((l) => /^\s*-\s*(\S+)/.exec(l)?.[1]).filter((s): s is string => Boolean(s));
}

/** scenario name → its checks, from the results folders the runner wrote (auth/<name>-<time>/checks.json). */
function readResults(dir: string): Map<string, Check[]> {
  const results = new Map<string, Check[]>();
  const visit = (path: string, prefix: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (!statSync(full).isDirectory()) continue;
      const scenario = `${prefix}${name.replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '')}`;
      try {
        results.set(scenario, JSON.parse(readFileSync(join(full, 'checks.json'), 'utf8')) as Check[]);
      } catch {
        visit(full, `${prefix}${name}/`);
      }
    }
  };
  visit(dir, '');
  return results;
}

describe('conformance client scenarios', () => {
  it('pass except the listed expected failures, and no listed one passes', async () => {
    // Fail with the keychain's own message, not as 20 failed scenarios, when there is none.
    await new KeyringSecretStore({ service: 'mcp-switchboard-conformance-probe' }).list();
    const out = mkdtempSync(join(tmpdir(), 'switchboard-conformance-'));
    try {
      const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
        // Its own process group, ended whole once the runner is done or out of time: a client it
        // started for a scenario must not outlive it (killing the runner alone left them running).
        const runner = spawn(process.execPath, [CONFORMANCE_BIN, 'client', '--command', `"${process.execPath}" "${CLIENT}"`, '--suite', 'all', '-o', out, '--expected-failures', EXPECTED],
          { cwd: out, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        runner.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
        runner.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
        const endGroup = () => {
          try {
            process.kill(-runner.pid!, 'SIGKILL');
          } catch {
            // the group is gone
          }
        };
        const timer = setTimeout(endGroup, 170_000);
        runner.once('close', (code) => {
          clearTimeout(timer);
          endGroup();
          resolve({ code: code ?? 1, output: `${stdout}\n${stderr}` });
        });
      });
      const results = readResults(out);
      const listed = listedScenarios();
      expect(listed.length, 'the runner lists no client scenario').toBeGreaterThan(20);
      // A scenario that wrote no checks (the client crashed before, the runner skipped it) is a
      // failure of its own, not a pass by omission.
      const withoutResult = listed.filter((s) => !(results.get(s)?.length));
      expect(withoutResult, `scenarios without a result:\n${run.output.slice(-3000)}`).toEqual([]);
      const failed: string[] = [];
      const failures: Record<string, string[]> = {};
      for (const [scenario, checks] of results) {
        const bad = checks.filter((c) => (c.status === 'FAILURE' || c.status === 'WARNING') && !TIMING_CHECKS.has(c.id));
        if (bad.length > 0) {
          failed.push(scenario);
          failures[scenario] = bad.map((c) => `${c.id}: ${c.status} ${c.errorMessage ?? ''}`.trim());
        }
      }
      const expected = expectedFailures();
      const unexpectedFailures = failed.filter((s) => !expected.includes(s));
      const unexpectedPasses = expected.filter((s) => results.has(s) && !failed.includes(s));
      expect({ unexpectedFailures, details: Object.fromEntries(unexpectedFailures.map((s) => [s, failures[s]])) }).toEqual({ unexpectedFailures: [], details: {} });
      expect(unexpectedPasses).toEqual([]);
      expect(expected.filter((s) => !results.has(s)), 'expected-failures names a scenario that no longer exists').toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
