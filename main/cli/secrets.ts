// `switchboard secret set|delete|list`. A value comes from stdin or a hidden prompt; it is taken
// from argv only with an explicit --value (argv is visible to other users in `ps`).
import type { Command } from 'commander';
import type { Readable, Writable } from 'node:stream';
import { KeyringSecretStore, type SecretStore, assertSecretName } from '../secrets/secret-store.ts';
import { escapeControl, jsonText } from './output.ts';

export interface SecretCommandContext {
  dataDir: string;
  secretStore?: SecretStore;
  stdin?: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout?: Writable;
  stderr?: Writable;
}

export function registerSecretCommands(program: Command, context: SecretCommandContext): Command {
  const store = (): SecretStore => context.secretStore ?? new KeyringSecretStore({ dataDir: context.dataDir });
  const out = context.stdout ?? process.stdout;
  const err = context.stderr ?? process.stderr;
  const stdin = context.stdin ?? process.stdin;

  const secret = program.command('secret').description('Manage secrets kept in the OS keychain');

  secret.command('set <name>')
    .description('Store a secret (value read from stdin, or a hidden prompt on a terminal)')
    .option('--value <value>', 'take the value from the command line (visible in the process list; avoid)')
    .action(async (name: string, options: { value?: string }) => {
      assertSecretName(name);
      let value: string;
      if (options.value !== undefined) {
        err.write('warning: a value given with --value is visible to other processes and kept in shell history; prefer stdin\n');
        value = options.value;
      } else {
        value = stdin.isTTY ? await promptHidden(stdin, err, `Value for ${name}: `) : await readAll(stdin);
      }
      if (value.length === 0) throw new Error(`no value given for secret "${name}"`);
      await store().set(name, value);
      out.write(`stored secret "${name}" in the OS keychain\n`);
    });

  secret.command('delete <name>')
    .description('Remove a secret from the OS keychain')
    .action(async (name: string) => {
      assertSecretName(name);
      const deleted = await store().delete(name);
      out.write(deleted ? `deleted secret "${name}"\n` : `no secret named "${name}"\n`);
    });

  secret.command('list')
    .description('List secret names (never values)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const names = await store().list();
      out.write(options.json ? `${jsonText(names, 0)}\n` : names.map((n) => `${escapeControl(n)}\n`).join(''));
    });

  return secret;
}

/** Reads stdin to the end; one trailing newline (from `echo`) is not part of the value. */
async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function promptHidden(stdin: NonNullable<SecretCommandContext['stdin']>, err: Writable, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    err.write(question);
    let value = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    const finish = (result: Error | string): void => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off('data', onData);
      err.write('\n');
      if (result instanceof Error) reject(result); else resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return finish(value);
        if (char === '\u0003') return finish(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}
