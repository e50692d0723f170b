// Turns a call's arguments into the text the audit store keeps, per the capture mode:
//  - none: nothing;
//  - redacted: values under secret-looking keys, known credential formats and long
//    high-entropy strings are replaced by [REDACTED];
//  - full: everything except secret-looking keys and known credential formats. Secrets never
//    reach SQLite or the gateway, whatever the policy asks, so even "full" redacts what is
//    certainly a credential; only the entropy heuristic (which can hit ids and hashes) is skipped.
// The policy's own redaction patterns (audit.redactPatterns) apply on top, in every mode.
// Then a size cap: longer text is cut and marked.
import type { CaptureMode } from '../../shared/audit.ts';

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets, matched case-insensitively after dropping "-", "_" and ".". */
const SECRET_KEY_PARTS = [
  'password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'authorization', 'auth',
  'cookie', 'credential', 'privatekey', 'accesskey', 'signature', 'sessionid', 'bearer', 'jwt',
];
const EXACT_SECRET_KEYS = new Set(['pwd', 'pass', 'key', 'xapikey', 'sig']);

export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_. ]/g, '');
  if (EXACT_SECRET_KEYS.has(normalized)) return true;
  return SECRET_KEY_PARTS.some((part) => normalized.includes(part));
}

/** Credential formats that are never legitimate to keep. Order matters: wider patterns last. */
const CREDENTIAL_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, REDACTED],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  [/\bglpat-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bnpm_[A-Za-z0-9]{30,}/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g, REDACTED],
  // user:password@ in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, `$1${REDACTED}@`],
  // key=value pairs in query strings, env-style text and headers
  [/\b([A-Za-z0-9_-]*(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth)[A-Za-z0-9_-]*)(\s*[=:]\s*)("?)[^\s&"',;]+/gi, `$1$2$3${REDACTED}`],
];

const ENTROPY_CANDIDATE = /[A-Za-z0-9+/_=-]{32,}/g;

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Random-looking tokens: long, mixed letters and digits, high entropy; paths are left alone. */
function looksRandom(token: string): boolean {
  if ((token.match(/\//g)?.length ?? 0) > 2) return false;
  if (!/[0-9]/.test(token) || !/[A-Za-z]/.test(token)) return false;
  if (/^[0-9a-f-]+$/i.test(token)) return false; // hex hashes and UUIDs are ids, not secrets
  return shannonEntropy(token) >= 4.2;
}

export function redactText(text: string, entropy = true): string {
  let out = text;
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) {
    pattern.lastIndex = 0;
    if (pattern.test(out)) {
      pattern.lastIndex = 0;
      out = out.replace(pattern, replacement);
    }
  }
  if (entropy && out.length >= 32) {
    out = out.replace(ENTROPY_CANDIDATE, (token) => (looksRandom(token) ? REDACTED : token));
  }
  return out;
}

export interface CapturedArguments {
  readonly text: string | null;
  readonly truncated: boolean;
}

export interface ArgumentCaptureOptions {
  readonly mode: CaptureMode;
  /** Regular expressions (JavaScript syntax) whose matches in any recorded text become [REDACTED]. */
  readonly patterns?: readonly string[];
  /** Longest argument text kept, in UTF-16 code units. */
  readonly maxChars?: number;
}

export const DEFAULT_MAX_ARGUMENT_CHARS = 8 * 1024;

export class ArgumentCapture {
  readonly mode: CaptureMode;
  readonly maxChars: number;
  /** Built-in redaction (the entropy heuristic only when redacting), then the policy's patterns. */
  private readonly redactArgument: (text: string) => string;
  /** The same for free text, which is recorded even in `none` mode: there the heuristic applies too. */
  private readonly redactFreeText: (text: string) => string;

  /** Throws when a pattern is not a valid regular expression. */
  constructor(options: ArgumentCaptureOptions) {
    this.mode = options.mode;
    this.maxChars = options.maxChars ?? DEFAULT_MAX_ARGUMENT_CHARS;
    const patterns = (options.patterns ?? []).map((source) => new RegExp(source, 'g'));
    const withPatterns = (entropy: boolean) => (patterns.length === 0
      ? (text: string) => redactText(text, entropy)
      : (text: string) => patterns.reduce((out, pattern) => out.replace(pattern, REDACTED), redactText(text, entropy)));
    this.redactArgument = withPatterns(this.mode === 'redacted');
    this.redactFreeText = withPatterns(this.mode !== 'full');
  }

  capture(args: unknown): CapturedArguments {
    if (this.mode === 'none' || args === undefined) return { text: null, truncated: false };
    const text = JSON.stringify(redactValue(args, this.redactArgument, 0)) ?? null;
    if (text === null || text.length <= this.maxChars) return { text, truncated: false };
    return { text: `${text.slice(0, this.maxChars)}…[truncated ${text.length - this.maxChars} chars]`, truncated: true };
  }

  /** Free text (error messages, resource URIs): credential formats and the policy's patterns always, the entropy heuristic unless capturing in full. */
  text(value: string, maxChars = 1000): string {
    return cap(this.redactFreeText(value), maxChars);
  }
}

function cap(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}…[truncated]`;
}

const MAX_DEPTH = 32;

function redactValue(value: unknown, redactString: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'number') {
    // A pattern may target numbers too (card or account numbers sent as JSON numbers).
    const text = String(value);
    const redacted = redactString(text);
    return redacted === text ? value : redacted;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redactString, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && item !== null && item !== '' ? REDACTED : redactValue(item, redactString, depth + 1);
  }
  return out;
}
