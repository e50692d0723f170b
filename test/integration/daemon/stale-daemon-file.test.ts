// A daemon.json left by a crash whose PID now belongs to another process (after a reboot) must not
// block `serve` nor make `status` say the daemon "did not answer": a daemon is confirmed by a
// handshake on its port with its token, not by its PID (issue 19, item 9).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmDaemon, findRunningDaemon, type DaemonInfo } from '../../../main/endpoints/daemon-file.ts';
import { freePort } from '../../support/free-port.ts';
import { SWITCHBOARD_BIN } from '../../support/daemon.ts';
import { runCli } from '../../support/cli.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const cli = (args: string[]) => runCli(args);

/** A data folder whose daemon.json names a live process that is no daemon (this test runner's PID). */
async function folderWithStaleFile(port: number): Promise<{ dir: string; stale: DaemonInfo }> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-stale-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 1, settings: { httpPort: 0 } }));
  const stale: DaemonInfo = { pid: process.pid, httpPort: port, socketPath: join(dir, 'switchboard.sock'), apiToken: 'old-token', startedAt: '2026-01-01T00:00:00.000Z' };
  writeFileSync(join(dir, 'daemon.json'), JSON.stringify(stale), { mode: 0o600 });
  return { dir, stale };
}

async function serve(dir: string): Promise<{ child: ChildProcess; info: DaemonInfo }> {
  const child = spawn(process.execPath, [SWITCHBOARD_BIN, 'serve', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  child.stdout!.resume();
  let exited = false;
  child.once('exit', () => { exited = true; });
  cleanups.push(async () => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  });
  for (let i = 0; i < 400 && !exited; i++) {
    try {
      const info = JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')) as DaemonInfo;
      if (info.pid === child.pid && info.httpPort > 0) return { child, info };
    } catch {
      // being rewritten
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`serve did not take over the folder: ${log}`);
}

describe('a stale daemon.json whose PID was reused', () => {
  it('is no daemon: status says not running, serve starts, and status then shows the new daemon', async () => {
    const { dir, stale } = await folderWithStaleFile(await freePort());
    expect(await confirmDaemon(stale)).toBe('stale');

    const before = await cli(['status', '--data-dir', dir]);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('daemon: not running');

    const { child, info } = await serve(dir);
    expect(info.pid).toBe(child.pid);
    const after = await cli(['status', '--json', '--data-dir', dir]);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ running: true, pid: child.pid });
    expect(await findRunningDaemon(dir)).toMatchObject({ pid: child.pid });
  }, 60_000);

  it('is stale when something else answers on its port, and live only for the daemon that knows its token', async () => {
    const other: Server = createServer((_request, response) => response.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => other.close(() => resolve())));
    const { dir, stale } = await folderWithStaleFile((other.address() as { port: number }).port);
    expect(await confirmDaemon(stale)).toBe('stale');
    const { info } = await serve(dir);
    expect(await confirmDaemon(info)).toBe('live');
    expect(await confirmDaemon({ ...info, apiToken: 'someone-elses' })).toBe('stale');
  }, 60_000);

  it('counts a daemon still starting (port not yet open) as running for a minute, then as stale', async () => {
    const starting: DaemonInfo = { pid: process.pid, httpPort: 0, socketPath: '/nowhere', apiToken: 't', startedAt: new Date(1_000_000).toISOString() };
    expect(await confirmDaemon(starting, { now: () => 1_000_000 + 5_000 })).toBe('unsure');
    expect(await confirmDaemon(starting, { now: () => 1_000_000 + 61_000 })).toBe('stale');
  });
});
