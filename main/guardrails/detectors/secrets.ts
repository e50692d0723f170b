// Secret detectors. The token shapes are the vendors' published formats (AWS access key id
// prefixes, GitHub's ghp_/gho_/ghu_/ghs_/ghr_ and github_pat_, GitLab's glpat- family, Slack's
// xox?- and webhook URLs, PEM private keys, JWTs), written here as JavaScript regexes. Why not a
// rule set imported as data: README "Content guardrails" (secretlint costs ~1 ms per small call,
// gitleaks' TOML may not be vendored here).
import { shannonEntropy } from './checksums.ts';
import { regexDetector, type Finding, type TextDetector } from './detector.ts';

const AWS = /(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z2-7]{16}\b/g;
const GITHUB = /(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b/g;
const GITLAB = /(?:glpat|gldt|glrt|glptt|glsoat|glcbt|glimt|glagent|glffct|gloas)-[A-Za-z0-9_-]{20,}/g;
const SLACK = /xox(?:[abposr]|e\.[a-z]+)-[A-Za-z0-9-]{10,}|https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,}/g;
const PRIVATE_KEY = /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)/g;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
/** scheme://user:password@host — only the password is the finding. */
const CONNECTION = /:\/\/[^\s:/@"'<>]{1,256}:([^\s@/"'<>]{1,256})@[^\s/"'<>]/g;
/** key = value / "key": "value" in text, the key secret-like; the value is the finding. The scan starts at the separator; the key before it is checked only there. */
const KEYED = /[:=]\s{0,3}["']?([A-Za-z0-9+_.~-][A-Za-z0-9+/=_.~-]{15,199})/g;
/** The identifier right before a separator (skipping a closing quote and spaces), or '' (no allocation-heavy regex over the text). */
function keyBefore(text: string, at: number): string {
  let end = at;
  while (end > 0 && at - end < 4 && (text[end - 1] === ' ' || text[end - 1] === '"' || text[end - 1] === "'")) end--;
  let start = end;
  while (start > 0 && end - start < 48 && isKeyChar(text.charCodeAt(start - 1))) start--;
  return text.slice(start, end);
}
/** [A-Za-z0-9_-] */
function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}
const KEY_NAME = /(?:secret|token|passw(?:or)?d|pwd|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?key|credential)/i;
const SECRET_CHARS = /^[A-Za-z0-9+/=_.~-]{16,}$/;

/** A value "behind a secret-like key" counts when it looks random: 16+ characters, ≥ 3.5 bits/char, letters and digits. */
export function looksRandom(value: string): boolean {
  return value.length >= 16 && /[0-9]/.test(value) && /[A-Za-z]/.test(value) && shannonEntropy(value) >= 3.5;
}

export function isSecretLikeKey(key: string): boolean {
  if (key.length > 64) return false;
  // Keys repeat ("text", "type", "content" on every call): each is tested once.
  let known = secretLikeKeys.get(key);
  if (known === undefined) {
    known = KEY_NAME.test(key);
    if (secretLikeKeys.size >= 4096) secretLikeKeys.clear();
    secretLikeKeys.set(key, known);
  }
  return known;
}

const secretLikeKeys = new Map<string, boolean>();

/** The start of a KEYED match: the separator and the shortest value (16 characters), without the long greedy tail. */
const KEYED_START = /[:=]\s{0,3}["']?[A-Za-z0-9+_.~-][A-Za-z0-9+/=_.~-]{15}/g;
/** KEYED at one position (sticky): the whole match, as the global pattern finds it there. */
const KEYED_AT = new RegExp(KEYED.source, 'y');
/** The longest KEYED match: separator, 3 spaces, a quote, 200 value characters. */
const KEYED_MAX = 205;

/**
 * KEYED's findings, confirmed by a secret-like key before the separator and a random-looking value.
 * The key is checked first, on the start of a match: a long value after an ordinary key (a path,
 * an id, a run of "x"s) then costs no walk to its end. The whole match is still found, as the
 * global pattern would, when the key passes or when an "=" inside the value could start the next
 * match (a value's own characters are skipped, never scanned for a separator).
 */
const genericText: TextDetector = {
  name: 'generic-secret',
  minLength: 17,
  scan(text: string, out: Finding[]) {
    KEYED_START.lastIndex = 0;
    let nextEquals = -2;
    let start: RegExpExecArray | null;
    while ((start = KEYED_START.exec(text)) !== null) {
      const at = start.index;
      const secretKey = KEY_NAME.test(keyBefore(text, at));
      if (!secretKey) {
        if (nextEquals !== -1 && nextEquals < KEYED_START.lastIndex) nextEquals = text.indexOf('=', KEYED_START.lastIndex);
        if (nextEquals === -1 || nextEquals >= at + KEYED_MAX) continue;
      }
      KEYED_AT.lastIndex = at;
      const match = KEYED_AT.exec(text);
      if (match === null) throw new Error('generic-secret: the sticky pattern did not match where its start did');
      KEYED_START.lastIndex = KEYED_AT.lastIndex;
      const value = match[1]!;
      if (!secretKey || !looksRandom(value)) continue;
      const offset = match[0].indexOf(value);
      out.push({ detector: 'generic-secret', start: at + offset, end: at + offset + value.length });
    }
  },
};

const WORD = /[A-Za-z0-9_]/;

export const secretDetectors: readonly TextDetector[] = [
  // minLength: the shortest text each pattern can match (prefix + shortest body).
  regexDetector('aws-access-key', AWS, { notAfter: WORD, minLength: 20 }),
  regexDetector('github-token', GITHUB, { notAfter: WORD, hint: (t) => t.includes('gh') || t.includes('github_pat_'), minLength: 40 }),
  regexDetector('gitlab-token', GITLAB, { notAfter: WORD, hint: (t) => t.includes('gl'), minLength: 25 }),
  // A token has a "-" after its xox… prefix: that one-character test goes first, because a search
  // for a short substring costs a step per occurrence of its first character (a run of "x"s).
  regexDetector('slack-token', SLACK, { notAfter: WORD, hint: (t) => (t.includes('-') && t.includes('xox')) || t.includes('hooks.slack.com'), minLength: 15 }),
  regexDetector('private-key', PRIVATE_KEY, { hint: (t) => t.includes('PRIVATE KEY'), minLength: 26 }),
  regexDetector('jwt', JWT, { notAfter: WORD, hint: (t) => t.includes('eyJ'), minLength: 24 }),
  regexDetector('connection-string-password', CONNECTION, { hint: (t) => t.includes('@'), group: 1, minLength: 8 }),
  {
    name: 'generic-secret',
    minLength: 17,
    scan(text: string, out: Finding[]) {
      if (!text.includes('=') && !text.includes(':')) return;
      genericText.scan(text, out);
    },
  },
];

/** The structural form of generic-secret: a string value under an object key that is secret-like. */
export function keyedSecret(key: string, value: string): boolean {
  return isSecretLikeKey(key) && SECRET_CHARS.test(value) && looksRandom(value);
}
