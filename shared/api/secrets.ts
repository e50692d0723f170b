// Secrets API: names only ever leave the daemon; a value goes in (set) and never comes out.
import { z } from 'zod';
import { method } from './define.ts';

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const SecretNameSchema = z.string().regex(SECRET_NAME_PATTERN, 'secret names are 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const secretsContract = {
  'secrets.list': method(z.object({}).strict(), z.object({ names: z.array(z.string()) }), 'Names of the secrets kept in the OS keychain (never values).'),
  'secrets.set': method(z.object({ name: SecretNameSchema, value: z.string().min(1) }).strict(), z.object({ name: z.string() }), 'Store a secret in the OS keychain.'),
  'secrets.delete': method(z.object({ name: SecretNameSchema }).strict(), z.object({ deleted: z.boolean() }), 'Remove a secret from the OS keychain.'),
};
