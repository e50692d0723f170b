// A tools/call's arguments are walked by the DLP detectors twice on their way in: by the audit's
// scrub (outermost, before the call is recorded) and by the DLP link. When both use the same
// detector set the link takes the scrub's walk instead of walking again. The scrub's walks are
// kept in a few slots by the identity of the arguments object, and the link takes a walk out
// (used once): a walk is only ever reused between the scrub of a call and that call's DLP link,
// with nothing that changes arguments in between (links that change them build a new object). A
// few slots, not a WeakMap: the two walks of a call are near each other, and a WeakMap entry
// per call costs more than the walk it saves.
import { redactSpans, walkContent, type WalkOptions, type WalkResult } from './content-walk.ts';
import type { DlpDetectorSet } from './dlp-detectors.ts';

const SLOTS = 16;
const optionsBySet = new WeakMap<DlpDetectorSet, WalkOptions>();
const keptArgs: Array<object | undefined> = new Array(SLOTS).fill(undefined);
const keptOptions: Array<WalkOptions | undefined> = new Array(SLOTS).fill(undefined);
const keptWalks: Array<WalkResult | undefined> = new Array(SLOTS).fill(undefined);
let nextSlot = 0;

function walkOptions(set: DlpDetectorSet): WalkOptions {
  let options = optionsBySet.get(set);
  if (!options) {
    options = { ...set, root: 'arguments', replace: redactSpans };
    optionsBySet.set(set, options);
  }
  return options;
}

/** The audit's scrub: walks `args` (root "arguments", findings redacted) and keeps the walk for this call's DLP link. */
export function scanArguments(args: unknown, set: DlpDetectorSet): WalkResult {
  const options = walkOptions(set);
  const walk = walkContent(args, options);
  if (args === null || typeof args !== 'object') return walk;
  let slot = keptArgs.indexOf(args);
  if (slot === -1) {
    slot = nextSlot;
    nextSlot = (nextSlot + 1) % SLOTS;
  }
  keptArgs[slot] = args;
  keptOptions[slot] = options;
  keptWalks[slot] = walk;
  return walk;
}

/** The DLP link: the scrub's walk of these arguments with this detector set, taken out of its slot; or a walk of its own. */
export function takeArgumentScan(args: unknown, set: DlpDetectorSet): WalkResult {
  const options = walkOptions(set);
  if (args !== null && typeof args === 'object') {
    const slot = keptArgs.indexOf(args);
    if (slot !== -1) {
      const walk = keptOptions[slot] === options ? keptWalks[slot] : undefined;
      keptArgs[slot] = undefined;
      keptOptions[slot] = undefined;
      keptWalks[slot] = undefined;
      if (walk) return walk;
    }
  }
  return walkContent(args, options);
}
