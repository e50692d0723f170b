import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { generateKeyPairSync } from 'node:crypto';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvalsContract } from '../../../shared/api/approvals.ts';
import { createApiClient } from '../../../shared/api/define.ts';
import { ApiDispatcher } from '../../../main/api/dispatcher.ts';
import { createApprovalsHandlers } from '../../../main/api/approvals.ts';
import { ApprovalBroker } from '../../../main/approvals/broker.ts';
import { registerApprovalsCommands } from '../../../main/cli/approvals.ts';
import { registerPolicyCommands } from '../../../main/cli/policy.ts';
import { verifyEnvelope } from '../../../main/orgsync/signature.ts';

interface Run { code: number; stdout: string; stderr: string }

describe('switchboard policy / approvals commands', () => {
  let dir: string;
  let managedPath: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'policy-cli-'));
    managedPath = path.join(dir, 'managed.json');
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  async function run(args: string[], extra: { broker?: ApprovalBroker } = {}): Promise<Run> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => { out += c; });
    stderr.on('data', (c) => { err += c; });
    const program = new Command('switchboard').exitOverride().configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });
    const context = { dataDir: dir, stdin: new PassThrough(), stdout, stderr };
    registerPolicyCommands(program, { ...context, managedPath });
    const dispatcher = extra.broker ? new ApiDispatcher(approvalsContract, createApprovalsHandlers({ broker: extra.broker })) : undefined;
    registerApprovalsCommands(program, {
      ...context,
      connect: () => dispatcher && createApiClient(approvalsContract, async (method, input) => {
        const result = await dispatcher.dispatch(method, input, { kind: 'cli' });
        if (!result.ok) throw new Error(result.error.message);
        return result.result;
      }),
    });
    try {
      await program.parseAsync(['node', 'switchboard', ...args]);
      return { code: 0, stdout: out, stderr: err };
    } catch (error) {
      return { code: 1, stdout: out, stderr: err + (error as Error).message };
    }
  }

  it('validate: exit 0 for a valid file, non-zero with field-level errors for a broken one', async () => {
    const good = path.join(dir, 'good.json');
    const bad = path.join(dir, 'bad.json');
    await writeFile(good, JSON.stringify({ version: 1, tools: [{ match: 'a/*', action: 'deny' }] }));
    await writeFile(bad, JSON.stringify({ version: 1, tools: [{ match: 'a/*', action: 'nope' }] }));
    expect(await run(['policy', 'validate', good])).toMatchObject({ code: 0, stdout: expect.stringContaining('valid policy (1 tool rules') });
    const failed = await run(['policy', 'validate', bad]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('tools.0.action');
  });

  it('show and check without a daemon compute the policy from the managed file and config.json', async () => {
    await writeFile(managedPath, JSON.stringify({ version: 1, tools: [{ match: 'github/delete_*', action: 'deny' }], locks: ['tools'] }));
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ version: 1, servers: [{ id: 'github', transport: 'stdio', command: 'npx', args: ['-y', 'gh'] }], settings: { userPolicy: { tools: [{ match: 'github/*', action: 'ask' }] } } }));
    const show = await run(['policy', 'show']);
    expect(show.stdout).toMatch(/managed\s+deny github\/delete_\*/);
    expect(show.stdout).toContain('Locked: tools (managed)');
    const json = JSON.parse((await run(['policy', 'show', '--json'])).stdout);
    expect(json.sources[0]).toMatchObject({ source: 'managed', state: 'active', location: managedPath });
    const check = await run(['policy', 'check', 'github', 'delete_repo', '--args', '{"repo":"x"}']);
    expect(check.stdout).toContain('DENY  github/delete_repo');
    expect(check.stdout).toContain('managed: deny github/delete_*');
    expect((await run(['policy', 'check', 'github', 'x', '--args', '[1'])).stderr).toContain('--args is not valid JSON');
    // As the proxy does: a server that is not configured is refused whatever the tool rules say.
    const unknown = await run(['policy', 'check', 'gitlab', 'anything']);
    expect(unknown.stdout).toContain('DENY  gitlab/anything');
    expect(unknown.stdout).toContain('default: unknown server');
  });

  it('show reports a corrupt managed file as fail-closed with its path', async () => {
    await writeFile(managedPath, '{ broken');
    const show = await run(['policy', 'show']);
    expect(show.stdout).toContain(`FAIL CLOSED: managed policy file ${managedPath}`);
    // The lists under the banner must not say the opposite.
    expect(show.stdout).toContain('(fail closed: every server is refused');
    expect(show.stdout).toContain('(fail closed: every call is refused');
    expect(show.stdout).not.toContain('every server may run');
    expect(show.stdout).not.toContain('every call is allowed');
  });

  it('sign produces an envelope that verifies against the public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyFile = path.join(dir, 'key.pem');
    const policyFile = path.join(dir, 'org.json');
    await writeFile(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await writeFile(policyFile, JSON.stringify({ version: 1, serial: 3, tools: [] }, null, 2));
    const signed = await run(['policy', 'sign', policyFile, '--key', keyFile, '--key-id', 'k1']);
    const envelope = JSON.parse(signed.stdout);
    expect(verifyEnvelope(envelope, [{ id: 'k1', key: publicKey.export({ format: 'pem', type: 'spki' }).toString() }])).toMatchObject({ ok: true });
  });

  it('approvals list and answer go through the API', async () => {
    const broker = new ApprovalBroker({ timeoutMs: () => 10_000 });
    const waiting = broker.request({ kind: 'policy', sessionId: 's', clientLabel: 'bridge', serverId: 'memory', tool: 'delete_entities', arguments: { entityNames: ['a'] }, rule: 'user: ask memory/*', source: 'user', choices: ['allow-once', 'always-allow'] });
    const list = await run(['approvals', 'list'], { broker });
    const id = broker.list()[0]!.id;
    expect(list.stdout).toContain(`switchboard approvals answer ${id} deny|allow-once|always-allow`);
    expect((await run(['approvals', 'answer', id, 'maybe'], { broker })).stderr).toContain('answer must be one of');
    expect((await run(['approvals', 'answer', id, 'allow-once'], { broker })).stdout).toContain('allow-once: memory/delete_entities');
    expect(await waiting).toMatchObject({ approved: true, approver: 'user:allow-once' });
    expect((await run(['approvals', 'history'], { broker })).stdout).toMatch(/allow-once\s+memory\/delete_entities\s+by cli/);
    expect((await run(['approvals', 'list'])).stderr).toContain('daemon is not running');
  });
});
