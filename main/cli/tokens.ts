// `switchboard token create | list | revoke`: bearer tokens for HTTP clients, through the API, so
// a token made while the daemon runs is in force when the command returns.
import type { Command } from 'commander';
import { ApiError } from '../../shared/api/define.ts';
import { withApi, type ApiSessionOptions } from './api-session.ts';
import type { CliContext } from './context.ts';
import { line, printer } from './output.ts';
import { collect } from './parse-options.ts';

export function registerTokenCommands(program: Command, context: CliContext & ApiSessionOptions): void {
  const out = printer(context.stdout);
  const token = program.command('token').description('Bearer tokens for HTTP clients');

  token.command('create <client-name>')
    .description('Create a token for an HTTP client (printed once; only its SHA-256 is stored)')
    .option('--server <id>', 'the token opens only this server (repeatable); without it, every server', collect, [])
    .option('--profile <name>', "the token opens only this profile's federated endpoint (/mcp), and no server's own")
    .action(async (name: string, options: { server: string[]; profile?: string }) => {
      const label = clientName(name, 'create');
      if (options.profile !== undefined && options.server.length > 0) throw new Error('a token opens either servers (--server) or one profile (--profile), not both');
      const created = await withApi(context, ({ api }) => api['tokens.create']({ name: label, ...(options.server.length > 0 ? { servers: options.server } : {}), ...(options.profile !== undefined ? { profile: options.profile } : {}) })).catch(plainError);
      out(created.token);
      context.stderr.write(created.profile
        ? line`token for '${label}' created for profile '${created.profile}'; it is shown only now. Send it as "Authorization: Bearer <token>" to http://127.0.0.1:<port>/mcp\n`
        : line`token for '${label}' created; it is shown only now. Send it as "Authorization: Bearer <token>" to http://127.0.0.1:<port>/mcp/<server-id>\n`);
    });

  token.command('list')
    .description('Client names that have a token, and when it was created (never the tokens)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { tokens } = await withApi(context, ({ api }) => api['tokens.list']({}));
      if (options.json) return out.json(tokens);
      if (tokens.length === 0) return out('no tokens; create one with `switchboard token create <client-name>`');
      for (const t of tokens) out(line`${t.name}\t${t.createdAt}${t.servers ? `\tservers: ${t.servers.join(', ')}` : ''}${t.profile ? `\tprofile: ${t.profile}` : ''}`);
    });

  token.command('revoke <client-name>')
    .description("Revoke a client's token: the daemon refuses it from then on")
    .action(async (name: string) => {
      const label = clientName(name, 'revoke');
      const { revoked } = await withApi(context, ({ api }) => api['tokens.revoke']({ name: label })).catch(plainError);
      out(line`revoked ${revoked === 1 ? 'the token' : `${revoked} tokens`} of '${label}'`);
    });
}

function clientName(name: string, command: 'create' | 'revoke'): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new Error(`the client name must not be empty: \`switchboard token ${command} <client-name>\`, e.g. \`switchboard token ${command} cursor\``);
  return trimmed;
}

/** The API's message is already in CLI terms (it names the commands). */
function plainError(error: unknown): never {
  throw error instanceof ApiError ? new Error(error.message) : error;
}
