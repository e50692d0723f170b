// Content guardrails in policy (issue 20, items 4-7): data-loss prevention, injection defence,
// result budgets and request validation. Each section holds rules; rules of every source apply
// and the strictest action wins, so a lower source can add a rule but never loosen one. A managed
// or org policy can lock a section ("dlp", "injection", "budgets", "validation"): user rules of a
// locked section are ignored. Self-contained (no import of policy.ts, which imports this file).
import picomatch from 'picomatch';
import { z } from 'zod';

/** The detectors MCP Switchboard ships (main/guardrails/detectors/). */
export const SECRET_DETECTORS = ['aws-access-key', 'github-token', 'gitlab-token', 'slack-token', 'private-key', 'jwt', 'connection-string-password', 'generic-secret'] as const;
export const PII_DETECTORS = ['email', 'credit-card', 'us-ssn', 'iban', 'phone'] as const;
export const INJECTION_DETECTORS = ['invisible-characters', 'instruction-override', 'hidden-instructions', 'cross-server-tool'] as const;
export const DLP_DETECTORS = [...SECRET_DETECTORS, ...PII_DETECTORS] as const;
export type DlpDetectorName = (typeof DLP_DETECTORS)[number];
export type InjectionDetectorName = (typeof INJECTION_DETECTORS)[number];

const globCheck = (pattern: string, ctx: z.RefinementCtx) => {
  try {
    picomatch.makeRe(pattern, { dot: true, noextglob: true, debug: true });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid glob: ${(error as Error).message}` });
  }
};
const toolGlob = () => z.string().min(1).superRefine(globCheck)
  .describe('Glob on "<server id>/<tool>" ("github/*": every tool of server github; default "**": every tool of every server)');
const clientGlob = () => z.string().min(1).superRefine(globCheck)
  .describe('Glob on the client: its token name (HTTP), "bridge" (local socket) or "ui"/"cli"; default every client');
const failClosed = () => z.boolean().optional()
  .describe('When a detector throws or the walk bound is passed (see README: depth 64, 8 MiB of text): true (default) refuses the call, false lets it through unscanned and records that');

export const DlpRuleSchema = z.object({
  id: z.string().min(1).optional().describe('Rule name shown in refusals, notes and the audit; defaults to "dlp <action> <detectors>"'),
  detectors: z.array(z.enum([...DLP_DETECTORS, 'secrets', 'pii', 'all'])).min(1).describe('Detector names, or the groups "secrets", "pii", "all"'),
  direction: z.enum(['arguments', 'results', 'both']).default('both'),
  match: toolGlob().optional(),
  client: clientGlob().optional(),
  action: z.enum(['block', 'redact', 'ask', 'log']).describe('block: refuse; redact: replace each match in place and add a note the model reads; ask: the user approves (arguments only; on results it blocks); log: audit only'),
  failClosed: failClosed(),
}).strict();
export type DlpRule = z.infer<typeof DlpRuleSchema>;

export const InjectionRuleSchema = z.object({
  id: z.string().min(1).optional(),
  detectors: z.array(z.enum([...INJECTION_DETECTORS, 'all'])).min(1).default(['all']),
  scan: z.enum(['descriptions', 'results', 'both']).default('both').describe('Tool descriptions (when a tool is first seen and whenever its definition changes) and/or tool results'),
  match: toolGlob().optional(),
  action: z.enum(['warn', 'strip', 'ask', 'deny']).describe('warn: pass and flag; strip: remove invisible characters (other findings are flagged); ask: a flagged tool is not listed until the user approves its definition (results: as deny); deny: the tool is hidden and its calls refused (results: refused)'),
  failClosed: failClosed(),
}).strict();
export type InjectionRule = z.infer<typeof InjectionRuleSchema>;

export const ResultBudgetRuleSchema = z.object({
  id: z.string().min(1).optional(),
  match: toolGlob().optional(),
  client: clientGlob().optional(),
  maxBytes: z.number().int().positive().optional().describe('UTF-8 bytes of the result\'s text'),
  maxTokens: z.number().int().positive().optional().describe('Estimated tokens: bytes / 4, rounded up'),
  action: z.enum(['truncate', 'deny']).describe('truncate: cut the text and add a note telling the model how to ask for less; deny: refuse the result'),
}).strict().refine((r) => r.maxBytes !== undefined || r.maxTokens !== undefined, { message: 'a result budget needs maxBytes or maxTokens' });
export type ResultBudgetRule = z.infer<typeof ResultBudgetRuleSchema>;

export const DailyBudgetRuleSchema = z.object({
  id: z.string().min(1).optional(),
  client: clientGlob().optional(),
  tokens: z.number().int().positive().describe('Estimated tokens (arguments + results, bytes / 4) a client may use per UTC day; a warning at 80%'),
  action: z.enum(['deny', 'warn']).default('deny').describe('What happens at 100%'),
}).strict();
export type DailyBudgetRule = z.infer<typeof DailyBudgetRuleSchema>;

export const ValidationRuleSchema = z.object({
  id: z.string().min(1).optional(),
  match: toolGlob().optional(),
  mode: z.enum(['off', 'warn', 'enforce']).describe('Arguments against the tool\'s inputSchema and structuredContent against its outputSchema; strictest mode of matching rules wins'),
}).strict();
export type ValidationRule = z.infer<typeof ValidationRuleSchema>;

export const DlpPolicySchema = z.object({ rules: z.array(DlpRuleSchema) }).strict()
  .describe('Data-loss prevention on what goes to tools (arguments) and what comes back (results)');
export const InjectionPolicySchema = z.object({ rules: z.array(InjectionRuleSchema) }).strict()
  .describe('Tool descriptions and results treated as untrusted input');
export const BudgetsPolicySchema = z.object({
  results: z.array(ResultBudgetRuleSchema).optional(),
  daily: z.array(DailyBudgetRuleSchema).optional(),
}).strict().describe('Result size caps and daily token budgets per client');
export const ValidationPolicySchema = z.object({ rules: z.array(ValidationRuleSchema) }).strict()
  .describe('Request validation against the tool\'s inputSchema (and results against its outputSchema)');

export type DlpPolicy = z.infer<typeof DlpPolicySchema>;
export type InjectionPolicy = z.infer<typeof InjectionPolicySchema>;
export type BudgetsPolicy = z.infer<typeof BudgetsPolicySchema>;
export type ValidationPolicy = z.infer<typeof ValidationPolicySchema>;

export const CONTENT_GUARDRAIL_SECTIONS = ['dlp', 'injection', 'budgets', 'validation'] as const;
