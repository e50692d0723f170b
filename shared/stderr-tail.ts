// The lines of a server's stderr worth showing in one glance (status, the UI, a crash message):
// the last few, without blank lines, stack frames and Node's version banner, which would otherwise
// push the one line that says what went wrong ("Error: Cannot find module '…'") out of view.
const NOISE = [/^\s*$/, /^\s+at\s/, /^Node\.js v\d+/];

export function salientStderr(lines: readonly string[], max = 5): string[] {
  return lines.filter((line) => !NOISE.some((pattern) => pattern.test(line))).slice(-max);
}
