// What the CLI prints. Names in its output come from clients and servers (tool names, client
// names, targets, error messages) and may carry terminal control sequences: every human-readable
// line goes through `terminalText` (control characters other than the line layout become visible
// escapes), every table cell and every value interpolated with `line` is escaped completely (a
// newline in a name cannot start a new row). JSON output stays JSON: `jsonText` escapes DEL and
// C1 as \u00XX, which parses back to the same string (JSON.stringify already escapes C0).
import type { Writable } from 'node:stream';

// C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_EXCEPT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const DEL_AND_C1 = /[\u007f-\u009f]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  return NAMED[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** Every control character as a visible escape: "\x1b", "\n", "\t"… (for a cell or a value in a line). */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, visible);
}

/** Control characters escaped, except the newlines and tabs that lay the text out. */
export function terminalText(text: string): string {
  return text.replace(CONTROL_EXCEPT_LAYOUT, visible);
}

/** JSON for output: exact JSON, with DEL and C1 (which JSON.stringify leaves raw) as \u00XX escapes. */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(DEL_AND_C1, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A tagged template whose interpolated values are escaped completely; the template's own text is kept. */
export function line(strings: TemplateStringsArray, ...values: unknown[]): string {
  let text = strings[0]!;
  values.forEach((value, i) => {
    text += escapeControl(String(value)) + strings[i + 1]!;
  });
  return text;
}

/** Aligned columns; the first row is the header. Cells are escaped before they are measured. */
export function columns(rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => row.map(escapeControl));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** Writes human-readable text (terminal-safe, newline-terminated) and JSON to one stream. */
export interface Printer {
  (text: string): void;
  json(value: unknown): void;
}

export function printer(stream: Writable): Printer {
  const print = ((text: string): void => {
    const safe = terminalText(text);
    stream.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }) as Printer;
  print.json = (value: unknown): void => {
    stream.write(`${jsonText(value)}\n`);
  };
  return print;
}
