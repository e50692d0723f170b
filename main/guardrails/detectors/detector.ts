// What a detector is: a name and a scan that appends the spans it finds in one string. Findings
// carry positions only, never the matched text, so nothing downstream can record a value.
export interface Finding {
  readonly detector: string;
  readonly start: number;
  readonly end: number;
}

export interface TextDetector {
  readonly name: string;
  /**
   * No match is shorter than this (0 or absent: no bound): the walk does not call scan on a
   * shorter string, which spares a call per detector on every short value (keys, types, ids).
   */
  readonly minLength?: number;
  /** Appends the spans found in `text` to `out`. May throw on odd input; the caller decides (fail closed). */
  scan(text: string, out: Finding[]): void;
}

/**
 * A detector from one global regular expression, run only when the cheap `hint` says the text can
 * hold a match (a substring test costs far less than a regex walk over a large result), and kept
 * only when `confirm` accepts the match (a checksum, an entropy floor).
 */
export function regexDetector(name: string, pattern: RegExp, options: { hint?: (text: string) => boolean; confirm?: (match: RegExpExecArray, text: string) => boolean; group?: number; notAfter?: RegExp; minLength?: number } = {}): TextDetector {
  if (!pattern.global) throw new Error(`detector ${name}: the pattern must be global`);
  const { hint, confirm, group, notAfter, minLength } = options;
  // One instance, reset per scan (scans are synchronous, so never interleaved): copying a RegExp per scan costs more than a short scan.
  const re = new RegExp(pattern);
  return {
    name,
    minLength: minLength ?? 0,
    scan(text, out) {
      if (hint && !hint(text)) return;
      re.lastIndex = 0;
      let match: RegExpExecArray | null;
      while ((match = re.exec(text)) !== null) {
        if (match[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        // A leading boundary checked here, not as a lookbehind in the pattern: a pattern that starts
        // with a lookbehind or \b is tried at every position, one that starts with a literal or a
        // class lets the engine skip ahead.
        if (notAfter && match.index > 0 && notAfter.test(text[match.index - 1]!)) continue;
        if (confirm && !confirm(match, text)) continue;
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
