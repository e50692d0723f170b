// Bearer tokens for HTTP clients: created (the value is returned once; config.json keeps only its
// SHA-256), listed by name, revoked. A token is in force when the call that made it returns.
import { z } from 'zod';
import { ProfileNameSchema } from '../profiles.ts';
import { method } from './define.ts';

const TokenName = z.string().trim().min(1, 'the client name must not be empty');
/** `servers`: the servers the token opens; absent for a token that opens every server. */
/** `profile`: the profile whose federated endpoint (/mcp) the token opens, and nothing else. */
export const TokenSummarySchema = z.object({ name: z.string(), createdAt: z.string(), servers: z.array(z.string()).optional(), profile: z.string().optional() });

export const tokensContract = {
  'tokens.list': method(z.object({}).strict(), z.object({ tokens: z.array(TokenSummarySchema) }), 'Client names that have a token, and when it was created (never the tokens)'),
  'tokens.create': method(
    z.object({ name: TokenName, servers: z.array(z.string().min(1)).optional(), profile: ProfileNameSchema.optional() }).strict()
      .refine((i) => !(i.profile !== undefined && i.servers !== undefined && i.servers.length > 0), { message: 'a token opens either servers or one profile, not both', path: ['profile'] }),
    z.object({ name: z.string(), token: z.string(), createdAt: z.string(), servers: z.array(z.string()).optional(), profile: z.string().optional() }),
    'Create a token for an HTTP client (for some servers, or for one profile\'s /mcp endpoint); the value is shown only in this answer',
  ),
  'tokens.revoke': method(z.object({ name: TokenName }).strict(), z.object({ revoked: z.number().int() }), "Revoke a client's token: refused from then on"),
};
