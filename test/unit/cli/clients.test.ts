// `switchboard client …` errors that name what the user gave, run through the whole program.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../main/cli.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'sb-cli-clients-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ dataDir: string }> {
  await buildProgram({ dataDir, stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }).parseAsync(['node', 'switchboard', ...args]);
  return { dataDir };
}

describe('switchboard client --config', () => {
  it('names the --config path and what it expects when it is a folder or missing', async () => {
    const { dataDir } = await run(['server', 'list']);
    for (const command of ['import', 'link']) {
      await expect(run(['client', command, 'cursor', '--config', dataDir])).rejects.toThrow(`--config ${dataDir} is a folder; expected the client's MCP config file (JSON; \`switchboard client list\` shows where it is)`);
      await expect(run(['client', command, 'cursor', '--config', join(dataDir, 'nope.json')])).rejects.toThrow(`--config ${join(dataDir, 'nope.json')}: no such file; expected the client's MCP config file (JSON; \`switchboard client list\` shows where it is)`);
    }
    await expect(run(['client', 'unlink', 'cursor', '--config', dataDir])).rejects.toThrow(`--config ${dataDir} is a folder`);
  });});
