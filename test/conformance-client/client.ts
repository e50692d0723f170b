#!/usr/bin/env node
// The app's remote-server connection as a client under test for @modelcontextprotocol/conformance:
// `npx conformance client --command "node test/conformance-client/client.ts" --scenario <name>`.
// The runner appends the server URL and sets MCP_CONFORMANCE_SCENARIO (and MCP_CONFORMANCE_CONTEXT
// for scenarios with pre-registered credentials). It connects exactly as the daemon does: the
// server becomes a remote ServerConfig (with `oauth` enabled for auth/* scenarios) and the
// transport comes from createUpstreamTransport() (main/servers/upstream-factory.ts), the code the
// supervisor uses for every remote server. OAuth state lives in the real OS keychain under a
// throwaway service name; the consent "browser" follows the authorization server's redirect to the
// app's loopback callback.
import { randomUUID } from 'node:crypto';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ServerConfigSchema } from '../../shared/config.ts';
import { createSecretResolver } from '../../main/secrets/resolve-secrets.ts';
import { KeyringSecretStore } from '../../main/secrets/secret-store.ts';
import { closeRemoteAuths, createUpstreamTransport, oauthClientSecretName } from '../../main/servers/upstream-factory.ts';

/** Where the app would publish its client ID metadata document (used when a server supports CIMD). */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';
const SERVER_ID = 'conformance';

const serverUrl = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as { client_id?: string; client_secret?: string };

async function main(): Promise<void> {
  if (!serverUrl?.startsWith('http')) throw new Error('usage: client.ts <server-url>');
  const secrets = new KeyringSecretStore({ service: `mcp-switchboard-conformance-${randomUUID()}` });
  const client = new Client({ name: 'mcp-switchboard', version: '0.1.0' }, { capabilities: { elicitation: { form: { applyDefaults: true } } } });
  // As a proxy the app forwards elicitation to the real client; here the "user" accepts the defaults.
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: {} }));
  try {
    const oauth = scenario.startsWith('auth/');
    // A pre-registered client: its id goes in config.json, its secret in the keychain.
    if (oauth && context.client_secret) await secrets.set(oauthClientSecretName(SERVER_ID), context.client_secret);
    const server = ServerConfigSchema.parse({
      id: SERVER_ID, transport: 'streamable-http', url: serverUrl,
      ...(oauth ? { oauth: { enabled: true, ...(context.client_id ? { clientId: context.client_id } : {}) } } : {}),
    });
    const transport = await createUpstreamTransport(server, {
      resolveSecret: createSecretResolver(secrets),
      oauth: {
        secrets,
        // The headless "browser": the test authorization server consents at once and redirects.
        openUrl: async (url) => { await fetch(url, { redirect: 'follow' }).then((r) => r.body?.cancel()); },
        clientMetadataUrl: CLIENT_METADATA_URL,
        consentTimeoutMs: 10_000,
      },
    });
    await client.connect(transport);
    const { tools } = await client.listTools();
    for (const tool of tools) await client.callTool({ name: tool.name, arguments: sampleArguments(tool.inputSchema) });
    await client.close();
  } finally {
    await closeRemoteAuths();
    for (const name of await secrets.list().catch(() => [])) await secrets.delete(name).catch(() => undefined);
  }
}

/** Arguments of the right types for a tool's required properties. */
function sampleArguments(schema: { properties?: Record<string, unknown>; required?: string[] }): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    const type = (schema.properties?.[name] as { type?: string } | undefined)?.type;
    args[name] = type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : type === 'array' ? [] : type === 'object' ? {} : 'x';
  }
  return args;
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`conformance client failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
