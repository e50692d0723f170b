// What a failed server's stderr shows at a glance: Node's "Cannot find module" survives its stack
// frames and version banner, which took the last five lines before.
import { describe, expect, it } from 'vitest';
import { salientStderr } from '../../../shared/stderr-tail.ts';

const MODULE_NOT_FOUND = [
  'node:internal/modules/cjs/loader:1386',
  '  throw err;',
  '  ^',
  '',
  "Error: Cannot find module '/srv/app/server.js'",
  '    at Function._resolveFilename (node:internal/modules/cjs/loader:1383:15)',
  '    at defaultResolveImpl (node:internal/modules/cjs/loader:1025:19)',
  '    at Function._load (node:internal/modules/cjs/loader:1192:37)',
  '    at TracingChannel.traceSync (node:diagnostics_channel:322:14)',
  '    at node:internal/main/run_main_module:36:49 {',
  "  code: 'MODULE_NOT_FOUND',",
  '  requireStack: []',
  '}',
  '',
  'Node.js v24.11.0',
];

describe('salientStderr', () => {
  it('keeps the error line of a missing module within the last five lines', () => {
    const shown = salientStderr(MODULE_NOT_FOUND);
    expect(shown).toHaveLength(5);
    expect(shown).toContain("Error: Cannot find module '/srv/app/server.js'");
    expect(shown).toContain("  code: 'MODULE_NOT_FOUND',");
  });

  it('keeps plain lines as they are, the last ones', () => {
    expect(salientStderr(['a', 'b', '', 'c'], 2)).toEqual(['b', 'c']);
  });
});
