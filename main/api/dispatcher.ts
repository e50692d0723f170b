// Runs one API call against the handlers: input validated by the contract (errors name the
// field), handler errors mapped to ApiErrorBody. Used by IPC, /api and tests alike.
import { ZodError } from 'zod';
import { fieldIssues, formatZodIssues } from '../base/zod-issues.ts';
import { ApiError, type ApiErrorBody, type Caller, type ContractSpec, type Handlers } from '../../shared/api/define.ts';

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

export class ApiDispatcher<C extends ContractSpec> {
  private readonly contract: C;
  private readonly handlers: Partial<Handlers<C>>;

  constructor(contract: C, handlers: Partial<Handlers<C>>) {
    this.contract = contract;
    this.handlers = handlers;
  }

  has(method: string): boolean {
    return Object.hasOwn(this.contract, method) && typeof this.handlers[method] === 'function';
  }

  async dispatch(method: string, rawInput: unknown, caller: Caller): Promise<DispatchResult> {
    if (!this.has(method)) return { ok: false, error: { code: 'not_found', message: `unknown API method "${method}"` } };
    const spec = this.contract[method]!;
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) return { ok: false, error: zodErrorBody(`invalid input for ${method}`, parsed.error) };
    try {
      const handler = this.handlers[method] as (input: unknown, caller: Caller) => Promise<unknown>;
      return { ok: true, result: spec.output.parse(await handler(parsed.data, caller)) };
    } catch (error) {
      return { ok: false, error: toErrorBody(error) };
    }
  }
}

export function zodErrorBody(message: string, error: ZodError): ApiErrorBody {
  return { code: 'invalid_input', message: `${message}: ${formatZodIssues(error)}`, issues: fieldIssues(error) };
}

export function toErrorBody(error: unknown): ApiErrorBody {
  if (error instanceof ApiError) return { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) };
  if (error instanceof ZodError) return zodErrorBody('invalid data', error);
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
