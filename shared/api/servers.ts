// API of the servers domain and the daemon itself: configured servers, their live state,
// their tools and stderr, test calls through the daemon's probe session.
import { BreakerStateSchema } from './flow-guardrails.ts';
import { z } from 'zod';
import { ServerConfigSchema, ServerIdSchema } from '../config.ts';
import { ServerLifecycleSchema } from '../lifecycle-policy.ts';
import { SandboxProfileSchema, SandboxSupportSchema } from '../sandbox.ts';
import { method } from './define.ts';

export const ServerStateSchema = z.enum(['stopped', 'starting', 'ready', 'failed']);

export const ServerStatusSchema = z.object({
  id: z.string(),
  transport: z.enum(['stdio', 'streamable-http', 'sse']),
  enabled: z.boolean(),
  state: ServerStateSchema,
  /** Why it is failed or stopped. */
  reason: z.string().optional(),
  exit: z.object({ code: z.number().nullable(), signal: z.string().nullable() }).optional(),
  stderrTail: z.array(z.string()),
  since: z.string(),
  restarts: z.number().int(),
  /** The server's circuit breaker, when the policy gives it one. */
  breaker: BreakerStateSchema.optional(),
  /** The probe session's process, for stdio servers. */
  pid: z.number().int().optional(),
  serverInfo: z.object({ name: z.string(), version: z.string() }).optional(),
  /** Failed because the policy does not admit it (no restart is tried until policy changes). */
  refused: z.boolean().optional(),
  /** How it runs: "bwrap network=none", "sandbox-exec network=all", "not sandboxed", "refused (…)", "remote". */
  sandbox: z.string().optional(),
  /** Deprecated, decommissioned or deleted, by policy or the registry (absent when nothing is known). */
  lifecycle: ServerLifecycleSchema.optional(),
});
export type ServerStatus = z.infer<typeof ServerStatusSchema>;

export const SessionSummarySchema = z.object({
  sessionId: z.string(),
  transport: z.enum(['socket', 'http', 'in-process']),
  clientLabel: z.string(),
  client: z.object({ name: z.string(), version: z.string() }).optional(),
  /** The session's own upstream process (stdio servers). */
  pid: z.number().int().optional(),
  inflight: z.number().int(),
  restarts: z.number().int(),
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

export const ServerEntrySchema = z.object({
  config: ServerConfigSchema,
  status: ServerStatusSchema,
  sessions: z.array(SessionSummarySchema),
  /** From servers.add and servers.update: what will stop the server from starting, e.g. a command not on PATH. */
  warnings: z.array(z.string()).optional(),
});
export type ServerEntry = z.infer<typeof ServerEntrySchema>;

/** A tool as the server lists it; unknown fields are kept. */
export const ToolSchema = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: z.looseObject({}),
  annotations: z.looseObject({}).optional(),
});

/** Logins the HTTP endpoint refused (401/403) since the daemon started; never the token. */
export const AuthFailureSummarySchema = z.object({
  total: z.number().int(),
  lastMinute: z.number().int(),
  lastHour: z.number().int(),
  byReason: z.record(z.string(), z.number().int()),
  recent: z.array(z.object({
    at: z.string(),
    status: z.union([z.literal(401), z.literal(403)]),
    reason: z.string(),
    endpoint: z.string(),
    client: z.string(),
  })),
});
export type AuthFailureSummary = z.infer<typeof AuthFailureSummarySchema>;

const ById = z.object({ id: ServerIdSchema });

export const serversContract = {
  'servers.list': method(z.object({}), z.object({ servers: z.array(ServerEntrySchema) }), 'Configured servers with their state and open sessions'),
  'servers.get': method(ById, ServerEntrySchema, 'One server: configuration, state, open sessions'),
  'servers.add': method(z.object({ server: ServerConfigSchema }), ServerEntrySchema, 'Add a server to config.json (fails if the id exists)'),
  'servers.update': method(z.object({ server: ServerConfigSchema }), ServerEntrySchema, 'Replace the configuration of an existing server'),
  'servers.remove': method(ById, z.object({ removed: z.literal(true) }), 'Remove a server from config.json and close its sessions'),
  'servers.start': method(ById, ServerStatusSchema, 'Start the server (its probe session)'),
  'servers.stop': method(ById, ServerStatusSchema, 'Stop the server (its probe session)'),
  'servers.restart': method(ById, ServerStatusSchema, 'Restart the server (its probe session)'),
  'servers.tools': method(ById, z.object({ tools: z.array(ToolSchema) }), "The server's tools as a client sees them, listed through the policy chain"),
  'servers.logs': method(ById, z.object({ lines: z.array(z.string()) }), "The last lines the server wrote on stderr"),
  'servers.callTool': method(
    z.object({ id: ServerIdSchema, name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).default({}) }),
    z.looseObject({ content: z.array(z.looseObject({ type: z.string() })).default([]), isError: z.boolean().optional() }),
    'A test call of one tool, made as a client of its own (switchboard-ui or switchboard-cli) through the same policy, approvals, pinning and audit as any client',
  ),
  'daemon.status': method(
    z.object({}),
    z.object({
      pid: z.number().int(),
      dataDir: z.string(),
      httpPort: z.number().int(),
      socketPath: z.string(),
      startedAt: z.string(),
      sessions: z.number().int(),
      servers: z.array(ServerStatusSchema),
      authFailures: AuthFailureSummarySchema,
    }),
    'The running daemon: where it listens and the state of every server',
  ),
};
export type ServersContract = typeof serversContract;

/** A server's sandbox: its profile, the one suggested from its command, how it runs, and what this machine offers. */
export const ServerSandboxSchema = z.object({
  id: z.string(),
  /** Null when the server has none (it runs unconfined) or is remote. */
  profile: SandboxProfileSchema.nullable(),
  /** Suggested from the command (caches of npx/uvx, the package, folder arguments); null for remote servers. */
  suggested: SandboxProfileSchema.nullable(),
  /** "bwrap network=none", "not sandboxed", "refused (…)", "remote". */
  state: z.string(),
  support: SandboxSupportSchema,
});
export type ServerSandbox = z.infer<typeof ServerSandboxSchema>;

export const serverSandboxContract = {
  'servers.sandbox': method(ById, ServerSandboxSchema, "A stdio server's sandbox profile, the suggested one, and whether this machine can run it"),
  'servers.setSandbox': method(
    z.object({ id: ServerIdSchema, sandbox: SandboxProfileSchema.nullable() }),
    ServerSandboxSchema,
    "Set (or with null remove) a stdio server's sandbox profile; the server restarts with it",
  ),
  'servers.suggestSandbox': method(
    z.object({ command: z.string().min(1), args: z.array(z.string()).default([]), cwd: z.string().optional() }),
    z.object({ profile: SandboxProfileSchema, support: SandboxSupportSchema }),
    'The sandbox profile suggested for a stdio command (package runner caches, its package, folder arguments), before it is added',
  ),
};
