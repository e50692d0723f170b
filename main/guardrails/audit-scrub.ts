// The audit writes a call's arguments before the DLP link runs (it is outermost, write-ahead), so
// what any DLP rule's detectors find is replaced in the captured copy too: a planted card number
// or SSN that a rule blocks must not land in SQLite through the audit's own capture. Only while
// some DLP rule is in force; the audit's own redaction of secrets applies as before.
import type { PolicyEngine } from '../policy/engine.ts';
import { scanArguments } from './dlp-argument-scan.ts';
import { dlpDetectorSet } from './dlp-detectors.ts';
import { GuardrailsPolicy } from './guardrails-policy.ts';

export function dlpAuditScrub(engine: () => PolicyEngine): (args: unknown) => unknown {
  return (args) => {
    const policy = GuardrailsPolicy.of(engine());
    if (policy.dlp.length === 0) return args;
    const detectors = policy.memo('audit-scrub', () => {
      const names = new Set<string>();
      for (const rule of policy.dlp) for (const d of rule.detectors) names.add(d);
      return dlpDetectorSet(names);
    });
    const walk = scanArguments(args, detectors);
    // Past the walk's bounds nothing of it is kept: the audit records that it was withheld.
    if (walk.incomplete) return '[arguments not recorded: too large or deep for the DLP scan]';
    return walk.value ?? args;
  };
}
