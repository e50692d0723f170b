// Personal data detectors: e-mail addresses, payment card numbers (Luhn), US SSNs, IBANs
// (mod-97) and phone numbers. Shapes are deliberately narrow: a detector that fires on every
// number would make `redact` useless.
import { ibanValid, luhnValid } from './checksums.ts';
import { regexDetector, type Finding, type TextDetector } from './detector.ts';

const CARD = /\d(?:[ -]?\d){12,18}(?![\d-])/g;
const SSN = /\d{3}-\d{2}-\d{4}(?![\d-])/g;
const SSN_RANGES = /^(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)/;
const IBAN = /[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
const PHONE = /(?:\+[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w-])/g;
const EMAIL_LOCAL = /[A-Za-z0-9._%+-]/;
const EMAIL_DOMAIN = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}/;

/** E-mail by its "@": expands left over local-part characters and right over a dotted domain (no regex walk over the whole text). */
const email: TextDetector = {
  name: 'email',
  minLength: 6,
  scan(text: string, out: Finding[]) {
    let at = text.indexOf('@');
    while (at !== -1) {
      let start = at;
      while (start > 0 && at - start < 64 && EMAIL_LOCAL.test(text[start - 1]!)) start--;
      if (start < at) {
        const domain = EMAIL_DOMAIN.exec(text.slice(at + 1, at + 256));
        if (domain) {
          out.push({ detector: 'email', start, end: at + 1 + domain[0].length });
          at = text.indexOf('@', at + 1 + domain[0].length);
          continue;
        }
      }
      at = text.indexOf('@', at + 1);
    }
  },
};

const digitCount = (s: string) => s.replace(/\D/g, '').length;
const DIGIT_OR_DASH = /[\d-]/;
const ALNUM = /[A-Za-z0-9]/;
const WORD_OR_PLUS = /[\w+]/;

// minLength: the shortest text that can be a finding ("a@b.cd", 13 card digits, "+" and 10 phone digits).
export const piiDetectors: readonly TextDetector[] = [
  email,
  regexDetector('credit-card', CARD, { notAfter: DIGIT_OR_DASH, confirm: (m) => luhnValid(m[0]), minLength: 13 }),
  regexDetector('us-ssn', SSN, { hint: (t) => t.includes('-'), notAfter: DIGIT_OR_DASH, confirm: (m) => SSN_RANGES.test(m[0]), minLength: 11 }),
  regexDetector('iban', IBAN, { notAfter: ALNUM, confirm: (m) => ibanValid(m[0]), minLength: 15 }),
  regexDetector('phone', PHONE, { notAfter: WORD_OR_PLUS, confirm: (m) => { const n = digitCount(m[0]); return n >= 10 && n <= 15; }, minLength: 11 }),
];
