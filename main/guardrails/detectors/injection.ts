// Prompt-injection detectors for tool descriptions and results: invisible characters (Unicode tag
// block U+E0000–U+E007F, zero-width characters, bidi controls), instruction-override phrases,
// hidden-instruction blocks, and a description that names another server's tools.
import type { Finding, TextDetector } from './detector.ts';

/** Tag block (as surrogate pairs), zero-width space/joiners, word joiner, BOM, bidi embeddings, overrides and isolates, Arabic letter mark. */
export const INVISIBLE = /\uDB40[\uDC00-\uDC7F]|[\u200B-\u200F\u2060-\u2064\uFEFF\u202A-\u202E\u2066-\u2069\u061C\u180E]/g;
const OVERRIDE = /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:(?:the|your|my)\s+)?(?:previous|prior|above|earlier|preceding|all|system)\s+(?:instructions|prompts?|rules|directions|messages)\b|\bdo\s+not\s+(?:tell|inform|mention\s+(?:this\s+)?to|reveal\s+(?:this\s+)?to|alert)\s+the\s+user\b|\bwithout\s+(?:telling|informing)\s+the\s+user\b|\byou\s+are\s+now\s+(?:in\s+)?(?:developer|DAN|jailbreak)\b/gi;
const INVISIBLE_SCAN = new RegExp(INVISIBLE);
const HIDDEN_BLOCK = /<\s*\/?\s*(?:IMPORTANT|system|SYSTEM|instructions?|secret|hidden|admin)\s*>|\[\s*(?:SYSTEM|INST)\s*\]|<\|im_start\|>/gi;

/** `re` is a module-level global regex, reset per scan (scans are synchronous, never interleaved). */
function scanWith(name: string, re: RegExp, text: string, out: Finding[]): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push({ detector: name, start: m.index, end: m.index + m[0].length });
}

// minLength: the shortest match ("you are now DAN", "[INST]").
export const invisibleCharacters: TextDetector = {
  name: 'invisible-characters',
  minLength: 1,
  scan(text, out) {
    // Fast path: every invisible character is outside ASCII and Latin-1.
    if (!/[^\u0000-\u00ff]/.test(text)) return;
    scanWith('invisible-characters', INVISIBLE_SCAN, text, out);
  },
};

export const instructionOverride: TextDetector = {
  name: 'instruction-override',
  minLength: 15,
  scan(text, out) {
    scanWith('instruction-override', OVERRIDE, text, out);
  },
};

export const hiddenInstructions: TextDetector = {
  name: 'hidden-instructions',
  minLength: 6,
  scan(text, out) {
    if (!text.includes('<') && !text.includes('[')) return;
    scanWith('hidden-instructions', HIDDEN_BLOCK, text, out);
  },
};

/** Names of other servers' tools mentioned as words in a description (names of 5+ characters, or with "_" or "-"). */
export function crossServerTool(otherTools: () => ReadonlySet<string>): TextDetector {
  return {
    name: 'cross-server-tool',
    minLength: 0,
    scan(text, out) {
      for (const tool of otherTools()) {
        if (tool.length < 5 && !/[_-]/.test(tool)) continue;
        let from = 0;
        let at: number;
        while ((at = text.indexOf(tool, from)) !== -1) {
          const before = at === 0 ? '' : text[at - 1]!;
          const after = text[at + tool.length] ?? '';
          if (!/[\w-]/.test(before) && !/[\w-]/.test(after)) out.push({ detector: 'cross-server-tool', start: at, end: at + tool.length });
          from = at + tool.length;
        }
      }
    },
  };
}

/** Writes each invisible character as "⟨U+E0069⟩", so a person approving a flagged definition sees what is hidden. */
export function revealInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** Removes invisible characters (the `strip` action). */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}
