import { alive } from '../../support/processes.ts';
import { describe, expect, it } from 'vitest';
import { ChildProcessTransport } from '../../../main/servers/child-process-transport.ts';
import { until } from '../../support/until.ts';


describe('ChildProcessTransport', () => {
  it('kills the whole process tree on close, grandchildren included', async () => {
    // A shell that starts a grandchild which ignores SIGTERM, prints its pid, and waits.
    const transport = new ChildProcessTransport({
      command: 'sh',
      args: ['-c', 'sh -c \'trap "" TERM; sleep 60\' & echo "{\\"jsonrpc\\":\\"2.0\\",\\"method\\":\\"pid\\",\\"params\\":{\\"pid\\":$!}}"; wait'],
      killGraceMs: 300,
    });
    let grandchild = 0;
    transport.onmessage = (message) => {
      grandchild = (message as unknown as { params: { pid: number } }).params.pid;
    };
    let closed = false;
    transport.onclose = () => {
      closed = true;
    };
    await transport.start();
    await until(() => grandchild > 0);
    expect(alive(grandchild)).toBe(true);
    await transport.close();
    expect(closed).toBe(true);
    await until(() => !alive(grandchild));
  });

  it('reports exit code or signal and keeps the last stderr lines', async () => {
    const transport = new ChildProcessTransport({ command: 'sh', args: ['-c', 'for i in $(seq 1 80); do echo "line $i" >&2; done; kill -9 $$'], stderrLines: 50 });
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
    });
    await transport.start();
    await closed;
    const failure = transport.failure();
    expect(failure.summary).toBe('crashed (signal SIGKILL)');
    expect(failure.stderrTail).toHaveLength(50);
    expect(failure.stderrTail.at(-1)).toBe('line 80');
  });

  it('rejects start() when the command does not exist', async () => {
    const transport = new ChildProcessTransport({ command: 'definitely-not-a-command-xyz', args: [] });
    await expect(transport.start()).rejects.toThrow(/cannot start "definitely-not-a-command-xyz"/);
  });

  it('resolves nothing itself: env values arrive as given', async () => {
    const transport = new ChildProcessTransport({ command: 'sh', args: ['-c', 'echo "{\\"jsonrpc\\":\\"2.0\\",\\"method\\":\\"env\\",\\"params\\":{\\"v\\":\\"$SB_TEST\\"}}"'], env: { SB_TEST: 'value-1' } });
    const got = new Promise<unknown>((resolve) => {
      transport.onmessage = (m) => resolve(m);
    });
    await transport.start();
    expect(await got).toEqual({ jsonrpc: '2.0', method: 'env', params: { v: 'value-1' } });
    await transport.close();
  });
});
