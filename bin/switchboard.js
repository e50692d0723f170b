#!/usr/bin/env node
// The `switchboard` command. From a checkout, Node >= 24 runs the TypeScript sources directly
// (type stripping); without .ts files it runs the compiled dist/main/cli.js. The packaged desktop
// app does not use this file: its binary runs the CLI as `<app> --switchboard-cli …` (runAsNode
// is off; see main/app/cli-mode.ts).
import { existsSync } from 'node:fs';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24 && !process.versions.electron) {
  process.stderr.write(`switchboard needs Node 24 or newer (found ${process.version}); run scripts/start.sh once to set it up.\n`);
  process.exit(1);
}
const source = new URL('../main/cli.ts', import.meta.url);
const entry = existsSync(source) ? source : new URL('../dist/main/cli.js', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
