// Bearer tokens for HTTP clients: created (the value is returned once; config.json keeps only its
// SHA-256), listed by name, revoked. A token is in force when the call that made it returns.
import { z } from 'zod';
import { method } from './define.ts';

const TokenName = z.string().trim().min(1, 'the client name must not be empty');
/** `servers`: the servers the token opens; absent for a token that opens every server. */
export const TokenSummarySchema = z.object({ name: z.string(), createdAt: z.string(), servers: z.array(z.string()).optional() });

export const tokensContract = {
  'tokens.list': method(z.object({}).strict(), z.object({ tokens: z.array(TokenSummarySchema) }), 'Client names that have a token, and when it was created (never the tokens)'),
  'tokens.create': method(z.object({ name: TokenName, servers: z.array(z.string().min(1)).optional() }).strict(), z.object({ name: z.string(), token: z.string(), createdAt: z.string(), servers: z.array(z.string()).optional() }), 'Create a token for an HTTP client; the value is shown only in this answer'),
  'tokens.revoke': method(z.object({ name: TokenName }).strict(), z.object({ revoked: z.number().int() }), "Revoke a client's token: refused from then on"),
};
