// Reads and edits a client's JSON/JSONC config file without disturbing anything we did not change:
// jsonc-parser edits keep comments, formatting and unknown keys; writes are atomic and leave a
// timestamped backup beside the file; a file that does not parse is never written.
import { createHash } from 'node:crypto';
import { copyFile, readFile, realpath } from 'node:fs/promises';
import { applyEdits, modify, parse, printParseErrorCode, type FormattingOptions, type JSONPath, type ParseError } from 'jsonc-parser';
import writeFileAtomic from 'write-file-atomic';

export class ClientConfigParseError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  constructor(file: string, line: number, column: number, detail: string) {
    super(`${file}:${line}:${column}: cannot parse the client's config file (${detail}); it was left untouched`);
    this.name = 'ClientConfigParseError';
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

export interface JsoncDocument {
  readonly path: string;
  readonly bytes: Buffer;
  readonly text: string;
  readonly data: unknown;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with sorted keys, so equal values hash alike whatever order a client wrote them in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v));
}

export function parseJsonc(path: string, text: string): unknown {
  const errors: ParseError[] = [];
  const data = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const first = errors[0];
  if (first) {
    const { line, column } = lineAndColumn(text, first.offset);
    throw new ClientConfigParseError(path, line, column, printParseErrorCode(first.error));
  }
  if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data))) {
    throw new ClientConfigParseError(path, 1, 1, 'the top level is not a JSON object');
  }
  return data ?? {};
}

export async function readJsoncDocument(path: string): Promise<JsoncDocument> {
  const bytes = await readFile(path);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  return { path, bytes, text, data: parseJsonc(path, text) };
}

export function valueAt(data: unknown, path: JSONPath): unknown {
  let node: unknown = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** Sets (or, with undefined, removes) the value at `path`, keeping everything else byte for byte. */
export function editJsonc(text: string, path: JSONPath, value: unknown): string {
  const formattingOptions = detectFormatting(text);
  return applyEdits(text, modify(text, path, value, { formattingOptions }));
}

export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return indent.startsWith('\t')
    ? { insertSpaces: false, tabSize: 1, eol }
    : { insertSpaces: true, tabSize: indent.length, eol };
}

export function backupPathFor(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${path}.switchboard-${stamp}-${process.pid}.bak`;
}

/**
 * Copies the current file beside itself, then replaces it atomically (same mode). A symlinked
 * config (dotfile managers) stays a symlink: the file it points to is what gets replaced.
 * Returns the backup's path.
 */
export async function writeWithBackup(path: string, content: string | Buffer, now: Date): Promise<string> {
  const target = await realpath(path);
  const backup = backupPathFor(target, now);
  await copyFile(target, backup);
  await writeFileAtomic(target, content);
  return backup;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}
