// The DLP detectors by name, and the set a group of rules needs (compiled once per set of names).
import { piiDetectors } from './detectors/pii.ts';
import { keyedSecret, secretDetectors } from './detectors/secrets.ts';
import type { TextDetector } from './detectors/detector.ts';

const ALL: ReadonlyMap<string, TextDetector> = new Map([...secretDetectors, ...piiDetectors].map((d) => [d.name, d]));
export interface DlpDetectorSet {
  readonly detectors: TextDetector[];
  readonly keyed?: (key: string, value: string) => boolean;
}

const memo = new Map<string, DlpDetectorSet>();

/** The same object for the same names (callers may key on it). */
export function dlpDetectorSet(names: ReadonlySet<string>): DlpDetectorSet {
  const key = [...names].sort().join(',');
  let set = memo.get(key);
  if (!set) {
    const detectors = [...names].map((n) => ALL.get(n)).filter((d): d is TextDetector => d !== undefined);
    set = names.has('generic-secret') ? { detectors, keyed: keyedSecret } : { detectors };
    memo.set(key, set);
  }
  return set;
}
