// Checked against the rules of Apple's Sandbox Profile Language as well as can be done without a
// Mac: the text must be a sequence of well-formed S-expressions, start with (version 1), use only
// operations and filters that SBPL defines, quote strings with \ and " escaped, and give
// `subpath`/`literal` absolute paths without trailing slashes; the last matching rule wins, so the
// catch-all deny must come before every allow.
import { describe, expect, it } from 'vitest';
import { sbplProfile, sbplString, sandboxExecArgs } from '../../../main/sandbox/sbpl-profile.ts';
import type { SandboxPlan } from '../../../main/sandbox/sandbox-plan.ts';

type Sexp = string | { str: string } | Sexp[];

/** A reader for the SBPL subset the generator emits: lists, symbols and "strings" with \-escapes. */
function parse(text: string): Sexp[] {
  let i = 0;
  const forms: Sexp[] = [];
  const skip = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const read = (): Sexp => {
    skip();
    const c = text[i];
    if (c === '(') {
      i++;
      const list: Sexp[] = [];
      for (;;) {
        skip();
        if (i >= text.length) throw new Error('unclosed (');
        if (text[i] === ')') { i++; return list; }
        list.push(read());
      }
    }
    if (c === ')') throw new Error(`unexpected ) at ${i}`);
    if (c === '"') {
      i++;
      let s = '';
      for (;;) {
        if (i >= text.length) throw new Error('unclosed string');
        const ch = text[i++]!;
        if (ch === '"') return { str: s };
        if (ch === '\\') {
          const next = text[i++]!;
          if (next !== '\\' && next !== '"') throw new Error(`unknown escape \\${next}`);
          s += next;
        } else s += ch;
      }
    }
    const m = /^[A-Za-z0-9*\-]+/.exec(text.slice(i));
    if (!m) throw new Error(`bad token at ${i}: ${text.slice(i, i + 10)}`);
    i += m[0].length;
    return m[0];
  };
  for (skip(); i < text.length; skip()) forms.push(read());
  return forms;
}

const OPERATIONS = new Set(['default', 'process-exec', 'process-fork', 'signal', 'process-info*', 'sysctl-read', 'mach-lookup', 'ipc-posix-shm',
  'user-preference-read', 'file-read-metadata', 'file-read*', 'file-write*', 'file-write-data', 'file-ioctl', 'network*']);
const FILTERS = new Set(['subpath', 'literal', 'target']);

const plan = (extra: Partial<SandboxPlan> = {}): SandboxPlan => ({
  command: '/opt/homebrew/bin/node', args: ['/Users/u/pkg/index.js'], network: 'none',
  runtime: ['/opt/homebrew/Cellar/node'], readOnly: ['/Users/u/pkg'], readWrite: ['/Users/u/My "Docs"\\x/'], ...extra,
});

function rules(text: string): Array<{ action: string; ops: string[]; filters: Array<[string, string]> }> {
  const forms = parse(text);
  expect(forms[0]).toEqual(['version', '1']);
  return forms.slice(1).map((form) => {
    expect(Array.isArray(form)).toBe(true);
    const [action, ...rest] = form as Sexp[];
    expect(['allow', 'deny']).toContain(action);
    const ops = rest.filter((x): x is string => typeof x === 'string');
    const filters = rest.filter((x): x is Sexp[] => Array.isArray(x)).map((f) => {
      const [name, arg] = f as [string, Sexp];
      expect(FILTERS.has(name), `filter ${name}`).toBe(true);
      return [name, typeof arg === 'string' ? arg : (arg as { str: string }).str] as [string, string];
    });
    for (const op of ops) expect(OPERATIONS.has(op), `operation ${op}`).toBe(true);
    return { action: action as string, ops, filters };
  });
}

describe('macOS sandbox-exec profile (SBPL)', () => {
  it('is well-formed SBPL: (version 1) first, known operations and filters, deny default before any allow', () => {
    const parsed = rules(sbplProfile(plan(), '/private/var/folders/x/T/sb'));
    expect(parsed[0]).toEqual({ action: 'deny', ops: ['default'], filters: [] });
    for (const r of parsed) {
      for (const [name, arg] of r.filters) {
        if (name === 'target') continue;
        expect(arg.startsWith('/'), `${name} ${arg} is absolute`).toBe(true);
        if (arg !== '/') expect(arg.endsWith('/'), `${name} ${arg} has no trailing slash`).toBe(false);
      }
    }
  });

  it('reads only the system, the runtime, the profile paths and its temp folder; writes only read-write paths and temp', () => {
    const parsed = rules(sbplProfile(plan(), '/private/tmp/sb'));
    const reads = parsed.filter((r) => r.action === 'allow' && r.ops.includes('file-read*')).flatMap((r) => r.filters.map((f) => f[1]));
    const writes = parsed.filter((r) => r.action === 'allow' && r.ops.includes('file-write*')).flatMap((r) => r.filters.map((f) => f[1]));
    expect(reads).toEqual(expect.arrayContaining(['/usr', '/System', '/opt/homebrew/Cellar/node', '/Users/u/pkg', '/Users/u/My "Docs"\\x', '/private/tmp/sb']));
    expect(reads.some((p) => p === '/Users' || p === '/Users/u' || p === '/')).toBe(false);
    expect(writes).toEqual(['/Users/u/My "Docs"\\x', '/private/tmp/sb']);
  });

  it('denies network for none and allows it for all', () => {
    const none = rules(sbplProfile(plan(), '/tmp/sb'));
    expect(none.at(-1)).toEqual({ action: 'deny', ops: ['network*'], filters: [] });
    expect(none.some((r) => r.action === 'allow' && r.ops.includes('network*'))).toBe(false);
    expect(rules(sbplProfile(plan({ network: 'all' }), '/tmp/sb')).at(-1)).toEqual({ action: 'allow', ops: ['network*'], filters: [] });
  });

  it('escapes quotes and backslashes so a path cannot end the string and add rules', () => {
    expect(sbplString('a"b\\c')).toBe('"a\\"b\\\\c"');
    const hostile = rules(sbplProfile(plan({ readWrite: ['/tmp/x") (allow default) ("'] }), '/tmp/sb'));
    expect(hostile.some((r) => r.action === 'allow' && r.ops.includes('default'))).toBe(false);
    expect(() => sbplString('a\0b')).toThrow(/NUL/);
  });

  it('sandbox-exec gets the profile inline, then the command and its arguments', () => {
    const args = sandboxExecArgs(plan(), '/tmp/sb');
    expect(args[0]).toBe('-p');
    expect(args.slice(2)).toEqual(['/opt/homebrew/bin/node', '/Users/u/pkg/index.js']);
  });
});
