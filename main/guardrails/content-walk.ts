// Walks every string of a JSON value at every depth (arguments, result text, structuredContent,
// embedded resources) through a set of detectors, within bounds: MAX_DEPTH levels and MAX_CHARS
// characters of text in all. Binary content (image and audio items, resource blobs) is skipped and
// counted. Past a bound, or when a detector throws, the walk stops and says so: the rule's
// failClosed setting decides the call (content-guardrails README section).
import type { Finding, TextDetector } from './detectors/detector.ts';

export const MAX_DEPTH = 64;
export const MAX_CHARS = 8 * 1024 * 1024;

export interface PathFinding {
  readonly detector: string;
  /** Where, as a JSON path of keys and indexes ("arguments.note.text"); never the value. */
  readonly path: string;
}

export interface WalkResult {
  readonly findings: PathFinding[];
  /** Binary items (image, audio, blob) that were not scanned. */
  readonly skippedBinary: number;
  /** Set when the walk stopped early: the depth or size bound, or a detector that threw. */
  readonly incomplete?: 'depth' | 'size' | 'detector-error';
  /** The value with every finding replaced (only when `replace` was given and something changed). */
  readonly value?: unknown;
}

export interface WalkOptions {
  readonly detectors: readonly TextDetector[];
  /** The structural secret check: a string value under a secret-like key (generic-secret). */
  readonly keyed?: (key: string, value: string) => boolean;
  /** Rewrites a string given its findings (redact, strip); absent: the walk only reports. */
  readonly replace?: (text: string, findings: readonly Finding[]) => string;
  readonly maxDepth?: number;
  readonly maxChars?: number;
  /** The first path segment ("arguments", "result"). */
  readonly root?: string;
}

class WalkStop extends Error {
  readonly why: 'depth' | 'size' | 'detector-error';
  constructor(why: 'depth' | 'size' | 'detector-error') {
    super(why);
    this.why = why;
  }
}

export function walkContent(value: unknown, options: WalkOptions): WalkResult {
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  const maxChars = options.maxChars ?? MAX_CHARS;
  const findings: PathFinding[] = [];
  let chars = 0;
  let skippedBinary = 0;
  const scratch: Finding[] = [];

  const scanString = (text: string, path: string, key: string | undefined): string => {
    chars += text.length;
    if (chars > maxChars) throw new WalkStop('size');
    scratch.length = 0;
    for (const detector of options.detectors) {
      try {
        detector.scan(text, scratch);
      } catch {
        throw new WalkStop('detector-error');
      }
    }
    if (key !== undefined && options.keyed?.(key, text)) scratch.push({ detector: 'generic-secret', start: 0, end: text.length });
    if (scratch.length === 0) return text;
    const seen = new Set<string>();
    for (const f of scratch) {
      if (seen.has(f.detector)) continue;
      seen.add(f.detector);
      findings.push({ detector: f.detector, path });
    }
    return options.replace ? options.replace(text, scratch) : text;
  };

  const visit = (node: unknown, path: string, depth: number, key: string | undefined): unknown => {
    if (typeof node === 'string') return scanString(node, path, key);
    if (node === null || typeof node !== 'object') return node;
    if (depth >= maxDepth) throw new WalkStop('depth');
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        const next = visit(node[i], `${path}.${i}`, depth + 1, undefined);
        if (next !== node[i]) (copy ??= node.slice())[i] = next;
      }
      return copy ?? node;
    }
    const record = node as Record<string, unknown>;
    if (record.type === 'image' || record.type === 'audio') {
      skippedBinary++;
      return node;
    }
    let copy: Record<string, unknown> | undefined;
    for (const k of Object.keys(record)) {
      const child = record[k];
      if (k === 'blob' && typeof child === 'string') {
        skippedBinary++;
        continue;
      }
      const next = visit(child, `${path}.${k}`, depth + 1, k);
      if (next !== child) (copy ??= { ...record })[k] = next;
    }
    return copy ?? node;
  };

  try {
    const out = visit(value, options.root ?? '$', 0, undefined);
    return { findings, skippedBinary, ...(out !== value ? { value: out } : {}) };
  } catch (error) {
    if (error instanceof WalkStop) return { findings, skippedBinary, incomplete: error.why };
    // A stack overflow or anything else odd: the same as a detector that threw.
    return { findings, skippedBinary, incomplete: 'detector-error' };
  }
}

/** Replaces each finding's span with "[REDACTED:<detector>]" (overlapping spans merged). */
export function redactSpans(text: string, findings: readonly Finding[]): string {
  const spans = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  let open: { start: number; end: number; detector: string } | undefined;
  const flush = () => {
    if (!open) return;
    out += text.slice(at, open.start) + `[REDACTED:${open.detector}]`;
    at = open.end;
    open = undefined;
  };
  for (const span of spans) {
    if (open && span.start < open.end) {
      open.end = Math.max(open.end, span.end);
      continue;
    }
    flush();
    open = { start: Math.max(span.start, at), end: span.end, detector: span.detector };
  }
  flush();
  return out + text.slice(at);
}
