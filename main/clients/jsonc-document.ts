// Reads and edits a client's JSON/JSONC config file without disturbing anything we did not change:
// jsonc-parser edits keep comments, formatting and unknown keys; writes are atomic and leave a
// timestamped backup beside the file; a file that does not parse is never written.
import { createHash } from 'node:crypto';
import { chmod, readFile, realpath, writeFile } from 'node:fs/promises';
import { applyEdits, modify, parse, parseTree, printParseErrorCode, type FormattingOptions, type JSONPath, type Node, type ParseError } from 'jsonc-parser';
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

/**
 * A server name (or an object on the way to a server map) written twice: the client uses the last
 * one, while an edit would change the first, so the file is neither imported nor linked.
 */
export class ClientConfigDuplicateKeyError extends ClientConfigParseError {
  readonly duplicates: string[];
  constructor(file: string, text: string, duplicates: DuplicateKey[]) {
    const first = duplicates[0]!;
    const { line, column } = lineAndColumn(text, first.offset);
    const names = [...new Set(duplicates.map((d) => `"${d.key}" (in ${d.path.length > 0 ? d.path.join('.') : 'the top level'})`))];
    super(file, line, column, 'duplicate names');
    this.name = 'ClientConfigDuplicateKeyError';
    this.duplicates = names;
    this.message = `${file}:${line}:${column}: ${names.length === 1 ? 'this name is' : 'these names are'} defined more than once: ${names.join(', ')}; `
      + 'the client uses the last definition of each, but linking would rewrite the first, so the file was left untouched. Keep one definition of each and try again';
  }
}

export interface DuplicateKey {
  /** Path of the object holding the key twice. */
  path: JSONPath;
  key: string;
  /** Offset of the second (or later) occurrence in the text. */
  offset: number;
}

/** Every key written more than once in the same object, anywhere in the text. */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const walk = (node: Node | undefined, path: JSONPath): void => {
    if (!node) return;
    if (node.type === 'array') {
      node.children?.forEach((child, index) => walk(child, [...path, index]));
      return;
    }
    if (node.type !== 'object') return;
    const seen = new Set<string>();
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      if (seen.has(key)) found.push({ path, key, offset: keyNode.offset });
      seen.add(key);
      walk(valueNode, [...path, key]);
    }
  };
  walk(parseTree(text, [], PARSE_OPTIONS), []);
  return found;
}

/**
 * Throws ClientConfigDuplicateKeyError when a key is written twice in one of `maps` (a server name)
 * or in an object on the way to one (e.g. two "mcpServers"): duplicates elsewhere do not matter.
 */
export function assertNoDuplicateKeys(doc: JsoncDocument, maps: JSONPath[]): void {
  const relevant = duplicateKeys(doc.text).filter((d) => maps.some((map) => d.path.length <= map.length
    && d.path.every((segment, i) => segment === map[i])
    && (d.path.length === map.length || map[d.path.length] === d.key)));
  if (relevant.length > 0) throw new ClientConfigDuplicateKeyError(doc.path, doc.text, relevant);
}

export interface JsoncDocument {
  readonly path: string;
  readonly bytes: Buffer;
  readonly text: string;
  readonly data: unknown;
}

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };

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
  const data = parse(text, errors, PARSE_OPTIONS);
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
 * The copy is readable by the user only (0600), whatever the file's mode: it keeps what the file
 * held, inline secrets (and bearer tokens) included. Returns the backup's path.
 */
export async function writeWithBackup(path: string, content: string | Buffer, now: Date, options: { mode?: number } = {}): Promise<string> {
  const target = await realpath(path);
  const bytes = await readFile(target);
  const first = backupPathFor(target, now);
  // Created 0600, not copied then narrowed; 'wx': never through an existing file or link, so a
  // second backup within the same second (link, then unlink) gets a name of its own.
  for (let n = 1; ; n++) {
    const backup = n === 1 ? first : first.replace(/\.bak$/, `-${n}.bak`);
    try {
      await writeFile(backup, bytes, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && n < 100) continue;
      throw error;
    }
    if (options.mode === undefined) await writeFileAtomic(target, content);
    else {
      await writeFileAtomic(target, content, { mode: options.mode });
      await chmod(target, options.mode);
    }
    return backup;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}
