// `policy validate` (validatePolicyText, also the managed file and org documents) rejects what
// would otherwise be silently misread at run time: a package version that is not a semver range
// (an allowlist entry then refused every server as "not on the managed allowlist", a denylist
// entry refused none) and globs that picomatch cannot compile (they match nothing) or that leave
// a "[" unclosed (taken literally).
import { describe, expect, it } from 'vitest';
import { globProblem, PolicyDocumentSchema, UserPolicySchema } from '../../../shared/policy.ts';
import { compileServerMatcher } from '../../../main/policy/server-rules.ts';
import { validatePolicyText } from '../../../main/policy/validate.ts';

const validate = (doc: object) => validatePolicyText(JSON.stringify({ version: 1, ...doc }));

describe('policy validation', () => {
  it('rejects a package version that is not a semver range, naming the field', () => {
    const result = validate({ servers: { allow: [{ package: { registryType: 'npm', identifier: '@modelcontextprotocol/*', version: 'not a range!!' } }] } });
    expect(result).toEqual({ ok: false, issues: [{ path: 'servers.allow.0.package.version', message: expect.stringContaining('not a valid semver range') }] });
    expect(validate({ servers: { deny: [{ package: { registryType: 'pypi', identifier: 'x', version: '>=1.0 <<2' } }] } })).toMatchObject({ ok: false, issues: [{ path: 'servers.deny.0.package.version' }] });
  });

  it('accepts the semver ranges the matcher understands', () => {
    for (const version of ['^1.2.0', '>=2 <3', '1.x || 2.x', '*', '~0.6.1', '1.2.3']) {
      expect(validate({ servers: { allow: [{ package: { registryType: 'npm', identifier: 'pkg', version } }] } }), version).toMatchObject({ ok: true });
      const matcher = compileServerMatcher({ package: { registryType: 'npm', identifier: 'pkg', version } });
      expect(() => matcher.matches({ id: 'x', args: [], inferredPackage: { registryType: 'npm', identifier: 'pkg', version: '1.2.3' } } as never, 'confirmed'), version).not.toThrow();
    }
  });

  it('rejects malformed globs wherever a glob goes, with the field path', () => {
    const cases: Array<[object, string]> = [
      [{ tools: [{ match: 'a/[b', action: 'deny' }] }, 'tools.0.match'],
      [{ tools: [{ match: 'a/{b', action: 'deny' }] }, 'tools.0.match'],
      [{ tools: [{ match: 'srv/[z-a]', action: 'deny' }] }, 'tools.0.match'],
      [{ tools: [{ match: 'srv/x', arguments: [{ path: 'p', glob: '/tmp/[x' }], action: 'deny' }] }, 'tools.0.arguments.0.glob'],
      [{ servers: { deny: [{ server: 'git[hub' }] } }, 'servers.deny.0.server'],
      [{ servers: { allow: [{ package: { registryType: 'npm', identifier: '@scope/{a' } }] } }, 'servers.allow.0.package.identifier'],
      [{ servers: { allow: [{ command: 'npx', args: ['-y', 'pkg[', '...'] }] } }, 'servers.allow.0.args.1'],
      [{ servers: { allow: [{ url: 'https://mcp.example.com/{x' }] } }, 'servers.allow.0.url'],
    ];
    for (const [doc, path] of cases) {
      const result = validate(doc);
      expect(result, path).toMatchObject({ ok: false, issues: [{ path, message: expect.stringContaining('not a valid glob') }] });
    }
    expect(globProblem('a/[b')).toContain('never closed');
  });

  it('accepts ordinary globs, escaped brackets and the "..." of args; user policy gets the same checks', () => {
    expect(validate({
      tools: [{ match: 'github/delete_*', action: 'deny' }, { match: 'srv/a\\[b', action: 'ask' }, { match: 'fs/[a-z]*', action: 'allow' }, { match: 'x/{a,b}', action: 'deny' }, { match: '**', action: 'ask' }],
      servers: { allow: [{ command: 'npx', args: ['-y', '@modelcontextprotocol/*', '...'] }, { url: 'https://*.example.com/**' }] },
    })).toMatchObject({ ok: true });
    expect(UserPolicySchema.safeParse({ tools: [{ match: 'a/[b', action: 'deny' }] }).success).toBe(false);
    expect(PolicyDocumentSchema.safeParse({ version: 1, tools: [{ match: 'a/b', action: 'deny' }] }).success).toBe(true);
  });
});
