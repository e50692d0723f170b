import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LineReader } from '../../../main/base/ndjson.ts';
import { messageBytes } from '../../../main/base/wire-size.ts';

describe('messageBytes', () => {
  it('is the size of the line a message came in, in bytes, as the line reader parsed it', () => {
    const messages: JSONRPCMessage[] = [];
    const reader = new LineReader({ message: (m) => messages.push(m), problem: () => undefined });
    // Spaces and a multi-byte character: the wire size differs from a fresh serialisation's length.
    const line = '{ "jsonrpc": "2.0", "id": 1, "result": { "text": "größe" } }';
    const split = Buffer.from(`${line}\r\n`);
    reader.push(split.subarray(0, 20));
    reader.push(split.subarray(20));
    expect(messages).toHaveLength(1);
    expect(messageBytes(messages[0]!)).toBe(Buffer.byteLength(`${line}\r`));
    expect(messageBytes(messages[0]!)).not.toBe(Buffer.byteLength(JSON.stringify(messages[0])));
  });

  it('serialises a message no transport parsed', () => {
    const made = { jsonrpc: '2.0', id: 2, error: { code: -32001, message: 'denied: ü' } };
    expect(messageBytes(made)).toBe(Buffer.byteLength(JSON.stringify(made)));
  });
});
