#!/usr/bin/env node
// The app's remote-server connection as a client under test for @modelcontextprotocol/conformance:
// `npx conformance client --command "node test/conformance-client/client.ts" --scenario <name>`.
// The runner appends the server URL and sets MCP_CONFORMANCE_SCENARIO (and MCP_CONFORMANCE_CONTEXT
// for scenarios with pre-registered credentials). It connects exactly as the daemon does:
// connectRemote() over Streamable HTTP, with createRemoteAuthProvider() for OAuth (tokens in the
// real OS keychain under a throwaway service name), and the consent "browser" following the
// authorization server's redirect to the app's loopback callback.
import { randomUUID } from 'node:crypto';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectRemote } from '../../main/oauth/connect-remote.ts';
import { createRemoteAuthProvider, type RemoteAuth } from '../../main/oauth/remote-auth.ts';
import { KeyringSecretStore } from '../../main/secrets/secret-store.ts';

/** Where the app would publish its client ID metadata document (used when a server supports CIMD). */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

const serverUrl = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as { client_id?: string; client_secret?: string };

async function main(): Promise<void> {
  if (!serverUrl?.startsWith('http')) throw new Error('usage: client.ts <server-url>');
  const secrets = new KeyringSecretStore({ service: `mcp-switchboard-conformance-${randomUUID()}` });
  let auth: RemoteAuth | undefined;
  const client = new Client({ name: 'mcp-switchboard', version: '0.1.0' }, { capabilities: { elicitation: { form: { applyDefaults: true } } } });
  // As a proxy the app forwards elicitation to the real client; here the "user" accepts the defaults.
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: {} }));
  try {
    if (scenario.startsWith('auth/')) {
      auth = await createRemoteAuthProvider('conformance', {
        secrets, serverUrl,
        // The headless "browser": the test authorization server consents at once and redirects.
        openUrl: async (url) => { await fetch(url, { redirect: 'follow' }).then((r) => r.body?.cancel()); },
        clientMetadataUrl: CLIENT_METADATA_URL,
        ...(context.client_id ? { clientId: context.client_id } : {}),
        ...(context.client_secret ? { clientSecret: context.client_secret } : {}),
        consentTimeoutMs: 10_000,
      });
    }
    await connectRemote({ url: serverUrl, transport: 'streamable-http', client, ...(auth ? { fetch: auth.fetch } : {}) });
    const { tools } = await client.listTools();
    for (const tool of tools) await client.callTool({ name: tool.name, arguments: sampleArguments(tool.inputSchema) });
    await client.close();
  } finally {
    await auth?.close();
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
