// Which env vars and headers of an imported entry hold secrets: by name (TOKEN, KEY, SECRET,
// PASSWORD, Authorization…) or by looking like a token (ghp_…, sk-…, JWTs, long random strings).
// Placeholders a client expands itself (${input:x}, ${env:X}, ${X}) are not secrets.

export const SECRET_NAME = /(token|secret|passw(or)?d|passwd|pwd|api[-_]?key|access[-_]?key|private[-_]?key|(^|[-_])key$|credential|auth|cookie|session|bearer)/i;
const TOKEN_PREFIXES = /^(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|sk-|sk_live_|sk_test_|rk_live_|xox[abprs]-|AKIA|ASIA|AIza|ya29\.|npm_|pypi-|hf_|shpat_|SG\.|Bearer\s+|Basic\s+)/;
const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const PLACEHOLDER = /^\$\{[^}]+\}$|^\$[A-Z_][A-Z0-9_]*$/;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value.trim());
}

export function looksLikeToken(value: string): boolean {
  const v = value.trim();
  if (TOKEN_PREFIXES.test(v) || JWT.test(v)) return true;
  // Long strings of one "word" mixing letters and digits, typical of random keys; not paths or URLs.
  if (v.length >= 32 && /^[A-Za-z0-9_\-+/=.]+$/.test(v) && /[A-Za-z]/.test(v) && /\d/.test(v) && !v.includes('/') && !/^\d+(\.\d+)*$/.test(v)) return true;
  return false;
}

export function isSecretValue(key: string, value: string): boolean {
  if (value.trim().length === 0 || isPlaceholder(value)) return false;
  return SECRET_NAME.test(key) || looksLikeToken(value);
}

// Names that hold nothing but secrets, whatever the value looks like (unlike "token", "auth",
// "session" or "key", which also name settings: MAX_TOKENS, AUTH_MODE, SESSION_TIMEOUT).
const SURELY_SECRET_NAME = /(secret|passw(or)?d|passwd|pwd|api[-_]?key|access[-_]?key|private[-_]?key|credential|cookie|bearer|authorization)/i;

// Numbers, durations, sizes and switch words: what a setting under a secret-sounding name holds
// (MAX_TOKENS=4096, SESSION_TIMEOUT=30s, AUTH_MODE=none), never a credential.
const PLAIN_SETTING = /^(?:-?\d+(?:\.\d+)?(?:ms|s|m|h|d|k|kb|mb|gb|%)?|true|false|yes|no|on|off|none|null|enabled|disabled|auto|default|required|optional)$/i;

/**
 * For values about to be written to a config file as they are (`server add --env/--header`, the
 * servers API): a secret by isSecretValue, unless the value is plainly a setting under a name
 * that also names settings. The importer
 * moves every isSecretValue value to the keychain, where a false alarm costs nothing; refusing
 * one would block an ordinary setting.
 */
export function mustNotBeStoredPlain(key: string, value: string): boolean {
  if (!isSecretValue(key, value)) return false;
  return looksLikeToken(value) || SURELY_SECRET_NAME.test(key) || !PLAIN_SETTING.test(value.trim());
}
