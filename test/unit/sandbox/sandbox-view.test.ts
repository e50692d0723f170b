import { describe, expect, it } from 'vitest';
import { editProfile } from '../../../main/sandbox/sandbox-view.ts';
import { sandboxStatusLines } from '../../../main/cli/sandbox.ts';
import { sandboxState } from '../../../main/sandbox/sandbox-state.ts';
import { ServerConfigSchema } from '../../../shared/config.ts';

const suggested = { enabled: true, network: 'all' as const, readOnly: ['/srv/pkg'], readWrite: ['~/.npm'] };

describe('editing a sandbox profile (server sandbox <id> set …)', () => {
  it('a new profile starts from the defaults: no network, no paths', () => {
    expect(editProfile(undefined, { readWrite: ['/data'] }, suggested)).toEqual({ enabled: true, network: 'none', readOnly: [], readWrite: ['/data'] });
  });

  it('--suggest starts from the suggestion; paths are added once and removed from both lists', () => {
    const next = editProfile({ enabled: false, network: 'none', readOnly: ['/x'], readWrite: [] }, { suggest: true, readOnly: ['/srv/pkg', '/y'], remove: ['~/.npm/'] }, suggested);
    expect(next).toEqual({ enabled: true, network: 'all', readOnly: ['/srv/pkg', '/y'], readWrite: [] });
  });

  it('--disable keeps the paths; a relative path is refused by the schema', () => {
    expect(editProfile(suggested, { enable: false }, null)).toEqual({ ...suggested, enabled: false });
    expect(() => editProfile(suggested, { readWrite: ['data'] }, null)).toThrow(/absolute/);
    expect(() => editProfile(suggested, { readWrite: ['/a/../etc'] }, null)).toThrow(/\.\./);
  });
});

describe('sandbox state words', () => {
  const stdio = (sandbox?: object) => ServerConfigSchema.parse({ id: 's', transport: 'stdio', command: 'node', ...(sandbox ? { sandbox } : {}) });
  it('names the mechanism and network, "not sandboxed", "refused (…)" and "remote"', () => {
    const bwrap = () => ({ available: true, mechanism: 'bwrap' as const });
    const windows = () => ({ available: false, mechanism: 'none' as const, message: 'not sandboxed: Windows has no sandbox in this version of MCP Switchboard' });
    expect(sandboxState(stdio({ network: 'none' }), bwrap)).toBe('bwrap network=none');
    expect(sandboxState(stdio(), bwrap)).toBe('not sandboxed');
    expect(sandboxState(stdio({ enabled: false }), bwrap)).toBe('not sandboxed');
    expect(sandboxState(stdio({}), windows)).toBe('refused (not sandboxed: Windows has no sandbox in this version of MCP Switchboard)');
    expect(sandboxState(ServerConfigSchema.parse({ id: 'r', transport: 'sse', url: 'https://x.example/sse' }), bwrap)).toBe('remote');
  });

  it('status shows a failed sandboxed server\'s stderr tail with a hint to widen the profile', () => {
    const text = sandboxStatusLines({ id: 'fs', state: 'failed', sandbox: 'bwrap network=none', stderrTail: ['Error: EROFS: read-only file system, open \'/home/u/.cache/x\''] });
    expect(text).toContain('[bwrap network=none]');
    expect(text).toContain('stderr: Error: EROFS');
    expect(text).toContain('switchboard server sandbox fs set --read-write <path>');
    expect(sandboxStatusLines({ id: 'fs', state: 'ready', sandbox: 'not sandboxed', stderrTail: ['x'] })).toBe('\t[not sandboxed]');
  });
});
