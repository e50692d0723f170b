// What a detector is: a name and a scan that appends the spans it finds in one string. Findings
// carry positions only, never the matched text, so nothing downstream can record a value.
export interface Finding {
  readonly detector: string;
  readonly start: number;
  readonly end: number;
}

export interface TextDetector {
  readonly name: string;
  /** Appends the spans found in `text` to `out`. May throw on odd input; the caller decides (fail closed). */
  scan(text: string, out: Finding[]): void;
}

/**
 * A detector from one global regular expression, run only when the cheap `hint` says the text can
 * hold a match (a substring test costs far less than a regex walk over a large result), and kept
 * only when `confirm` accepts the match (a checksum, an entropy floor).
 */
export function regexDetector(name: string, pattern: RegExp, options: { hint?: (text: string) => boolean; confirm?: (match: RegExpExecArray) => boolean; group?: number } = {}): TextDetector {
  if (!pattern.global) throw new Error(`detector ${name}: the pattern must be global`);
  const { hint, confirm, group } = options;
  return {
    name,
    scan(text, out) {
      if (hint && !hint(text)) return;
      const re = new RegExp(pattern);
      let match: RegExpExecArray | null;
      while ((match = re.exec(text)) !== null) {
        if (match[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        if (confirm && !confirm(match)) continue;
        if (group !== undefined && match[group] !== undefined) {
          const offset = match[0].indexOf(match[group]);
          out.push({ detector: name, start: match.index + offset, end: match.index + offset + match[group].length });
        } else {
          out.push({ detector: name, start: match.index, end: match.index + match[0].length });
        }
      }
    },
  };
}
