// Which env vars and headers of an imported entry hold secrets: by name (TOKEN, KEY, SECRET,
// PASSWORD, Authorization…) or by looking like a token (ghp_…, sk-…, JWTs, long random strings).
// Placeholders a client expands itself (${input:x}, ${env:X}, ${X}) are not secrets.

const SECRET_NAME = /(token|secret|passw(or)?d|passwd|pwd|api[-_]?key|access[-_]?key|private[-_]?key|(^|[-_])key$|credential|auth|cookie|session|bearer)/i;
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
