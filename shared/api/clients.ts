// Clients API: detect AI clients, import their servers, link and unlink their config files.
import { z } from 'zod';
import { ClientIdSchema, ClientSummarySchema, LinkStatusSchema } from '../clients.ts';
import { method } from './define.ts';

const FileInput = z.object({ client: ClientIdSchema, file: z.string().min(1).optional() }).strict();

export const ImportReportSchema = z.object({
  client: z.string(),
  file: z.string(),
  entries: z.array(z.object({ name: z.string(), serverId: z.string(), outcome: z.enum(['imported', 'existing']), secrets: z.array(z.string()) })),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  warnings: z.array(z.string()),
});

export const clientsContract = {
  'clients.list': method(z.object({}).strict(), z.object({ clients: z.array(ClientSummarySchema) }), 'AI clients on this machine, their config files, servers and link status.'),
  'clients.import': method(FileInput, ImportReportSchema, "Import a client's servers; inline secrets move to the OS keychain."),
  'clients.link': method(FileInput.extend({ profile: z.string().min(1).optional().describe('Write one entry for this profile (its /mcp URL or `bridge --profile`) instead of one per server') }), z.object({ file: z.string(), backup: z.string(), linked: z.array(z.object({ name: z.string(), serverId: z.string() })), warnings: z.array(z.string()) }), "Rewrite a client's entries to go through the app."),
  'clients.unlink': method(FileInput, z.object({ file: z.string(), restored: z.enum(['exact', 'entries']), keptChanged: z.array(z.string()) }), "Restore a client's original entries."),
  'clients.status': method(FileInput, z.object({ status: LinkStatusSchema, entries: z.array(z.object({ name: z.string(), serverId: z.string(), status: LinkStatusSchema })) }), 'Whether a client file is linked, drifted or unlinked.'),
};
