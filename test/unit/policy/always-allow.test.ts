// Where "always allow" puts its user rule: never in front of a user deny that can decide a call to
// the tool (within a source the first matching rule decides), and in front of the user ask that
// prompted it, so the answer takes effect.
import { describe, expect, it } from 'vitest';
import { ToolRuleSchema, type ToolRule, type ToolRuleInput } from '../../../shared/policy.ts';
import { alwaysAllowPosition, alwaysAllowRule } from '../../../main/policy/always-allow.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';
import type { ToolAnnotations } from '../../../main/policy/tool-rules.ts';

const approval = { serverId: 'pin', tool: 'echo', target: 'tool' as const };
const rules = (input: ToolRuleInput[]): ToolRule[] => input.map((r) => ToolRuleSchema.parse(r));

function withAlwaysAllow(tools: ToolRule[]): ToolRule[] {
  const copy = [...tools];
  copy.splice(alwaysAllowPosition(copy, approval), 0, alwaysAllowRule(approval));
  return copy;
}

const decide = (tools: ToolRule[], args: unknown, annotations?: ToolAnnotations) =>
  new PolicyEngine({ managed: { state: 'absent', path: '/m' }, user: { tools } }).evaluate({ serverId: 'pin', name: 'echo', arguments: args, ...(annotations ? { annotations } : {}) });

describe('always allow', () => {
  it('the QA case: a user deny before the user ask keeps denying; the ask is answered for good', () => {
    const tools = rules([
      { id: 'user-no-secret-echo', match: 'pin/echo', arguments: [{ path: 'text', equals: 'secret' }], action: 'deny' },
      { id: 'user-ask-echo', match: 'pin/echo', action: 'ask' },
    ]);
    expect(decide(tools, { text: 'hi' })).toMatchObject({ action: 'ask', rule: 'user-ask-echo' });
    const after = withAlwaysAllow(tools);
    expect(after.map((r) => r.id)).toEqual(['user-no-secret-echo', 'always allow pin/echo', 'user-ask-echo']);
    expect(decide(after, { text: 'secret' })).toMatchObject({ action: 'deny', rule: 'user-no-secret-echo', source: 'user' });
    expect(decide(after, { text: 'hi' })).toMatchObject({ action: 'allow', rule: 'always allow pin/echo' });
  });

  it('with no user ask for the tool: after every user deny that can match it (globs, annotation conditions), other tools and kinds ignored', () => {
    const tools = rules([
      { id: 'allow-other', match: 'other/**', action: 'allow' },
      { id: 'deny-secret', match: 'pin/*', arguments: [{ path: 'text', prefix: 'secret' }], action: 'deny' },
      { id: 'ask-prompts', kind: 'prompt', match: 'pin/echo', action: 'deny' },
      { id: 'deny-destructive', match: '**', annotations: { destructiveHint: true }, action: 'deny' },
      { id: 'deny-other-tool', match: 'pin/wipe', action: 'deny' },
    ]);
    expect(alwaysAllowPosition(tools, approval)).toBe(4);
    const after = withAlwaysAllow(tools);
    expect(decide(after, { text: 'secret!' }, { readOnlyHint: true })).toMatchObject({ action: 'deny', rule: 'deny-secret' });
    expect(decide(after, { text: 'hi' })).toMatchObject({ action: 'deny', rule: 'deny-destructive' });
    expect(decide(after, { text: 'hi' }, { readOnlyHint: true })).toMatchObject({ action: 'allow', rule: 'always allow pin/echo' });
  });

  it('a deny behind an unconditional rule for the tool is never reached, so it does not push the allow past that rule', () => {
    expect(alwaysAllowPosition(rules([
      { id: 'ask-echo', match: 'pin/echo', action: 'ask' },
      { id: 'dead-deny', match: 'pin/echo', arguments: [{ path: 'text', equals: 'secret' }], action: 'deny' },
    ]), approval)).toBe(0);
    expect(alwaysAllowPosition(rules([
      { id: 'deny-all', match: 'pin/**', action: 'deny' },
      { id: 'ask-echo', match: 'pin/echo', action: 'ask' },
    ]), approval)).toBe(1);
  });

  it('never turns a decision the user\'s rules denied into anything else (every rule order, sample calls)', () => {
    const pool: ToolRuleInput[] = [
      { id: 'deny-secret', match: 'pin/echo', arguments: [{ path: 'text', equals: 'secret' }], action: 'deny' },
      { id: 'ask-a', match: 'pin/echo', arguments: [{ path: 'text', prefix: 'a' }], action: 'ask' },
      { id: 'deny-destructive', match: 'pin/*', annotations: { destructiveHint: true }, action: 'deny' },
      { id: 'ask-all', match: 'pin/**', action: 'ask' },
      { id: 'allow-read', match: 'pin/echo', annotations: { readOnlyHint: true }, action: 'allow' },
    ];
    const samples: Array<[unknown, ToolAnnotations | undefined]> = [];
    for (const text of ['secret', 'abc', 'hi']) for (const annotations of [undefined, { readOnlyHint: true }]) samples.push([{ text }, annotations]);
    const orders = (items: ToolRuleInput[]): ToolRuleInput[][] => (items.length <= 1 ? [items] : items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest])));
    let checked = 0;
    for (const order of orders(pool)) {
      const before = rules(order);
      const after = withAlwaysAllow(before);
      for (const [args, annotations] of samples) {
        const was = decide(before, args, annotations);
        if (was.action !== 'deny') continue;
        expect(decide(after, args, annotations), `${order.map((r) => r.id).join(', ')} ${JSON.stringify([args, annotations])}`).toMatchObject({ action: 'deny', rule: was.rule });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
