#!/usr/bin/env node
// The `switchboard` command. Node >= 24 runs the TypeScript sources directly (type stripping).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`switchboard needs Node 24 or newer (found ${process.version}); run scripts/start.sh once to set it up.\n`);
  process.exit(1);
}
const { main } = await import('../main/cli.ts');
process.exitCode = await main(process.argv);
