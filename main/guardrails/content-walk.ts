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
  const walk = new Walk(options);
  try {
    const out = walk.visit(value, 0, undefined);
    return out !== value ? { findings: walk.findings, skippedBinary: walk.skippedBinary, value: out } : { findings: walk.findings, skippedBinary: walk.skippedBinary };
  } catch (error) {
    if (error instanceof WalkStop) return { findings: walk.findings, skippedBinary: walk.skippedBinary, incomplete: error.why };
    // A stack overflow or anything else odd: the same as a detector that threw.
    return { findings: walk.findings, skippedBinary: walk.skippedBinary, incomplete: 'detector-error' };
  }
}

/**
 * One walk's state. The path of the current node is kept as a stack of keys and indexes and joined
 * only for a finding, so a walk that finds nothing builds no path strings.
 */
class Walk {
  readonly findings: PathFinding[] = [];
  skippedBinary = 0;
  private chars = 0;
  private readonly scratch: Finding[] = [];
  private readonly segments: Array<string | number> = [];
  private readonly detectors: readonly TextDetector[];
  private readonly options: WalkOptions;
  private readonly maxDepth: number;
  private readonly maxChars: number;

  constructor(options: WalkOptions) {
    this.options = options;
    this.detectors = options.detectors;
    this.maxDepth = options.maxDepth ?? MAX_DEPTH;
    this.maxChars = options.maxChars ?? MAX_CHARS;
  }

  visit(node: unknown, depth: number, key: string | undefined): unknown {
    if (typeof node === 'string') return this.scanString(node, key);
    if (node === null || typeof node !== 'object') return node;
    if (depth >= this.maxDepth) throw new WalkStop('depth');
    const segments = this.segments;
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        segments.push(i);
        const next = this.visit(node[i], depth + 1, undefined);
        segments.pop();
        if (next !== node[i]) (copy ??= node.slice())[i] = next;
      }
      return copy ?? node;
    }
    const record = node as Record<string, unknown>;
    if (record.type === 'image' || record.type === 'audio') {
      this.skippedBinary++;
      return node;
    }
    let copy: Record<string, unknown> | undefined;
    for (const k of Object.keys(record)) {
      const child = record[k];
      if (k === 'blob' && typeof child === 'string') {
        this.skippedBinary++;
        continue;
      }
      segments.push(k);
      const next = this.visit(child, depth + 1, k);
      segments.pop();
      if (next !== child) (copy ??= { ...record })[k] = next;
    }
    return copy ?? node;
  }

  private scanString(text: string, key: string | undefined): string {
    this.chars += text.length;
    if (this.chars > this.maxChars) throw new WalkStop('size');
    const scratch = this.scratch;
    scratch.length = 0;
    const detectors = this.detectors;
    const length = text.length;
    for (let i = 0; i < detectors.length; i++) {
      const detector = detectors[i]!;
      if (length < (detector.minLength ?? 0)) continue;
      try {
        detector.scan(text, scratch);
      } catch {
        throw new WalkStop('detector-error');
      }
    }
    if (key !== undefined && this.options.keyed?.(key, text)) scratch.push({ detector: 'generic-secret', start: 0, end: text.length });
    if (scratch.length === 0) return text;
    const path = this.path();
    const seen = new Set<string>();
    for (const f of scratch) {
      if (seen.has(f.detector)) continue;
      seen.add(f.detector);
      this.findings.push({ detector: f.detector, path });
    }
    return this.options.replace ? this.options.replace(text, scratch) : text;
  }

  /** "arguments.note.0.text": the root, then each key or index. */
  private path(): string {
    let path = this.options.root ?? '$';
    for (const segment of this.segments) path += `.${segment}`;
    return path;
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
