import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BWRAP_INSTALL_HINT, USERNS_HINT, probeSandboxSupport } from '../../../main/sandbox/availability.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sb-avail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sandbox availability probe', () => {
  it('Linux with the real bwrap on PATH: available', () => {
    const support = probeSandboxSupport({ platform: 'linux', pathVariable: '/usr/bin:/bin' });
    expect(support).toMatchObject({ available: true, mechanism: 'bwrap', bwrapPath: '/usr/bin/bwrap' });
  });

  it('no bwrap on PATH: unavailable with the install hint', () => {
    const support = probeSandboxSupport({ platform: 'linux', pathVariable: dir });
    expect(support.available).toBe(false);
    expect(support.message).toContain(BWRAP_INSTALL_HINT);
  });

  it('bwrap present but user namespaces disabled: one message naming the cause, bwrap run once', () => {
    const fake = path.join(dir, 'bwrap');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    let runs = 0;
    const support = probeSandboxSupport({
      platform: 'linux', pathVariable: dir,
      tryBwrap: () => { runs++; return { status: 1, stderr: 'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces\n' }; },
    });
    expect(runs).toBe(1);
    expect(support).toMatchObject({ available: false, mechanism: 'none' });
    expect(support.message).toContain(USERNS_HINT);
  });

  it('Windows: not sandboxed, said plainly', () => {
    expect(probeSandboxSupport({ platform: 'win32', pathVariable: '' })).toEqual({ available: false, mechanism: 'none', message: 'not sandboxed: Windows has no sandbox in this version of MCP Switchboard' });
  });
});
