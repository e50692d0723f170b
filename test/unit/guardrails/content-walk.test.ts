// The walk over every string of a value: depth, size and detector failures stop it and say so
// (the rule's failClosed decides), binary content is skipped and counted, redaction copies.
import { describe, expect, it } from 'vitest';
import { redactSpans, walkContent } from '../../../main/guardrails/content-walk.ts';
import { scanArguments, takeArgumentScan } from '../../../main/guardrails/dlp-argument-scan.ts';
import { dlpDetectorSet } from '../../../main/guardrails/dlp-detectors.ts';
import { GuardrailsPolicy } from '../../../main/guardrails/guardrails-policy.ts';

const KEY = 'AKIAQ7WXRZ2MV5TNB3KD';
const secrets = dlpDetectorSet(new Set(['aws-access-key', 'generic-secret']));

describe('walkContent', () => {
  it('finds a value at any depth and names its path, and redaction leaves the input unchanged', () => {
    const input = { note: { text: `k ${KEY}`, list: [{ deeper: KEY }] } };
    const walk = walkContent(input, { ...secrets, root: 'arguments', replace: redactSpans });
    expect(walk.findings).toEqual([{ detector: 'aws-access-key', path: 'arguments.note.text' }, { detector: 'aws-access-key', path: 'arguments.note.list.0.deeper' }]);
    expect(walk.value).toEqual({ note: { text: 'k [REDACTED:aws-access-key]', list: [{ deeper: '[REDACTED:aws-access-key]' }] } });
    expect(input.note.text).toContain(KEY);
    expect(JSON.stringify(walk.findings)).not.toContain(KEY);
  });

  it('skips and counts image content and resource blobs', () => {
    const walk = walkContent({ content: [{ type: 'image', data: KEY, mimeType: 'image/png' }, { type: 'resource', resource: { uri: 'x', blob: KEY } }] }, secrets);
    expect(walk.findings).toEqual([]);
    expect(walk.skippedBinary).toBe(2);
  });

  it('stops past the depth bound (10,000 levels) and past the size bound, saying which', () => {
    let deep: unknown = KEY;
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(walkContent(deep, secrets).incomplete).toBe('depth');
    expect(walkContent(['x'.repeat(100), 'y'.repeat(100)], { ...secrets, maxChars: 150 }).incomplete).toBe('size');
  });

  it('a detector that throws ends the walk as detector-error, not with an exception', () => {
    const throwing = { name: 'boom', scan() { throw new RangeError('odd input'); } };
    expect(walkContent({ a: 'x' }, { detectors: [throwing] }).incomplete).toBe('detector-error');
  });

  it('generic-secret by key at any depth', () => {
    expect(walkContent({ config: { db: { password: 'Zk39XqLm2Pw8Rt5Yv1Nb' } } }, secrets).findings).toEqual([{ detector: 'generic-secret', path: '$.config.db.password' }]);
  });
});

describe('scanArguments and takeArgumentScan', () => {
  it('the DLP link takes the walk the audit\'s scrub made of the same arguments with the same detectors, once', () => {
    const args = { text: `card 4539 1488 0343 6467 key ${KEY}` };
    const cards = dlpDetectorSet(new Set(['credit-card']));
    const scrubbed = scanArguments(args, secrets);
    expect(scrubbed.findings).toEqual([{ detector: 'aws-access-key', path: 'arguments.text' }]);
    expect(takeArgumentScan(args, secrets)).toBe(scrubbed);
    // Taken out: a second ask walks again.
    expect(takeArgumentScan(args, secrets)).not.toBe(scrubbed);
    // Another detector set gets its own walk.
    scanArguments(args, secrets);
    expect(takeArgumentScan(args, cards).findings).toEqual([{ detector: 'credit-card', path: 'arguments.text' }]);
  });

  it('an arguments object changed in place and sent again is walked again, not answered from an earlier walk', () => {
    const args: Record<string, unknown> = { text: 'nothing here' };
    expect(scanArguments(args, secrets).findings).toEqual([]);
    args.text = `now ${KEY}`;
    // The next call's scrub walks it anew, and its DLP link takes that walk.
    expect(scanArguments(args, secrets).findings).toEqual([{ detector: 'aws-access-key', path: 'arguments.text' }]);
    expect(takeArgumentScan(args, secrets).findings).toEqual([{ detector: 'aws-access-key', path: 'arguments.text' }]);
    // A call whose scrub did not keep a walk (another detector set) leaves nothing stale behind.
    args.text = 'clean again';
    expect(takeArgumentScan(args, secrets).findings).toEqual([]);
  });
});

describe('GuardrailsPolicy', () => {
  const doc = (id: string) => ({ dlp: { rules: [{ id, detectors: ['secrets' as const], direction: 'both' as const, action: 'log' as const }] } });
  it('keeps the rules of every source, labelled by source; a locked section ignores the user\'s rules', () => {
    const open = new GuardrailsPolicy([{ source: 'managed', doc: doc('m') }, { source: 'user', doc: doc('u') }]);
    expect(open.dlp.map((r) => r.label)).toEqual(['managed: m', 'user: u']);
    expect([...open.dlp[0]!.detectors]).toContain('aws-access-key');
    const locked = new GuardrailsPolicy([{ source: 'managed', doc: doc('m') }, { source: 'user', doc: doc('u') }], (section) => section === 'dlp');
    expect(locked.dlp.map((r) => r.label)).toEqual(['managed: m']);
  });

  it('forCall answers per kind, server, tool and client, each computed once while the policy is current', () => {
    const policy = new GuardrailsPolicy([]);
    const computed: string[] = [];
    const compute = (_policy: GuardrailsPolicy, target: string, client: string) => {
      computed.push(`${target} ${client}`);
      return `${target} ${client}`;
    };
    const ask = (kind: string, server: string, tool: string, client: string) => policy.forCall(kind, server, tool, client, compute);
    expect(ask('k', 's', 'a', 'c1')).toBe('s/a c1');
    expect(ask('k', 's', 'a', 'c1')).toBe('s/a c1');
    expect(ask('k', 's', 'a', 'c2')).toBe('s/a c2');
    expect(ask('k', 't', 'a', 'c2')).toBe('t/a c2');
    expect(ask('k', 't', 'b', 'c2')).toBe('t/b c2');
    expect(ask('k', 's', 'a', 'c1')).toBe('s/a c1');
    expect(ask('other', 's', 'a', 'c1')).toBe('s/a c1');
    expect(computed).toEqual(['s/a c1', 's/a c2', 't/a c2', 't/b c2', 's/a c1']);
    // Another policy (a reload) starts empty.
    new GuardrailsPolicy([]).forCall('k', 's', 'a', 'c1', compute);
    expect(computed).toHaveLength(6);
  });
});

