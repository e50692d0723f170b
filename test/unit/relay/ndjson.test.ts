import { describe, expect, it } from 'vitest';
import { LineReader, problemResponse, type LineProblem } from '../../../main/base/ndjson.ts';

function collect(limit?: number) {
  const messages: unknown[] = [];
  const problems: LineProblem[] = [];
  const reader = new LineReader({ message: (m) => messages.push(m), problem: (p) => problems.push(p) }, limit);
  return { reader, messages, problems };
}

describe('LineReader', () => {
  it('joins messages split across chunks and splits several per chunk', () => {
    const { reader, messages } = collect();
    const a = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const b = JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} });
    reader.push(Buffer.from(a.slice(0, 10)));
    reader.push(Buffer.from(`${a.slice(10)}\n${b}\r\n\n`));
    expect(messages).toEqual([JSON.parse(a), JSON.parse(b)]);
  });

  it('reports a parse error and an invalid message, then keeps reading', () => {
    const { reader, messages, problems } = collect();
    reader.push(Buffer.from('nope\n{"id":3,"foo":1}\n{"jsonrpc":"2.0","method":"x"}\n'));
    expect(problems.map((p) => p.kind)).toEqual(['parse', 'invalid']);
    expect(problemResponse(problems[0]!)).toMatchObject({ id: null, error: { code: -32700 } });
    expect(problemResponse(problems[1]!)).toMatchObject({ id: 3, error: { code: -32600 } });
    expect(messages).toEqual([{ jsonrpc: '2.0', method: 'x' }]);
  });

  it('discards an oversize line without buffering it, answers with its id and the limit, and recovers', () => {
    const { reader, messages, problems } = collect(1024);
    reader.push(Buffer.from('{"jsonrpc":"2.0","id":"big-1","method":"tools/call","params":{"x":"'));
    for (let i = 0; i < 10; i++) reader.push(Buffer.alloc(500, 0x61));
    reader.push(Buffer.from('"}}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n'));
    expect(problems).toHaveLength(1);
    const answer = problemResponse(problems[0]!);
    expect(answer).toMatchObject({ id: 'big-1', error: { code: -32004 } });
    expect(answer.error.message).toContain('1 KiB limit');
    expect(messages).toEqual([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
  });
});
