// A tools/call's arguments are walked by the DLP detectors twice on their way in: by the audit's
// scrub (outermost, before the call is recorded) and by the DLP link. When both use the same
// detector set the second takes the first's walk. The last few walks are kept by the identity of
// the arguments object and the options (links that change arguments build a new object; none
// changes them in place). A few slots, not a WeakMap: the two walks of a call are near each other
// (the links in between rarely wait), and a WeakMap entry per call costs more than the slots.
import { redactSpans, walkContent, type WalkOptions, type WalkResult } from './content-walk.ts';
import type { DlpDetectorSet } from './dlp-detectors.ts';

const SLOTS = 16;
const optionsBySet = new WeakMap<DlpDetectorSet, WalkOptions>();
const keptArgs: Array<object | undefined> = new Array(SLOTS).fill(undefined);
const keptOptions: Array<WalkOptions | undefined> = new Array(SLOTS).fill(undefined);
const keptWalks: Array<WalkResult | undefined> = new Array(SLOTS).fill(undefined);
let nextSlot = 0;

/** The walk of `args` (root "arguments", findings redacted) with a detector set; a second ask for the same object and set gets the same walk. */
export function scanArguments(args: unknown, set: DlpDetectorSet): WalkResult {
  let options = optionsBySet.get(set);
  if (!options) {
    options = { ...set, root: 'arguments', replace: redactSpans };
    optionsBySet.set(set, options);
  }
  if (args === null || typeof args !== 'object') return walkContent(args, options);
  for (let i = 0; i < SLOTS; i++) {
    if (keptArgs[i] === args && keptOptions[i] === options) return keptWalks[i]!;
  }
  const walk = walkContent(args, options);
  keptArgs[nextSlot] = args;
  keptOptions[nextSlot] = options;
  keptWalks[nextSlot] = walk;
  nextSlot = (nextSlot + 1) % SLOTS;
  return walk;
}
