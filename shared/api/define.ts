// The API contract is declared once (method name → zod input and output) and every side derives
// from it: the daemon's handlers, the /api HTTP route, Electron IPC, the CLI and the renderer.
import type { z } from 'zod';

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly summary: string;
}

export type ContractSpec = Record<string, MethodSpec>;

export function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, summary: string): MethodSpec<I, O> {
  return { input, output, summary };
}

/** Who called: the UI over IPC or /api, or the CLI. Handlers may use it for audit ("approver"). */
export interface Caller {
  readonly kind: 'ipc' | 'http' | 'cli';
}

export type Handlers<C extends ContractSpec> = {
  [K in keyof C]: (input: z.output<C[K]['input']>, caller: Caller) => Promise<z.input<C[K]['output']>>;
};

export type ApiClient<C extends ContractSpec> = {
  [K in keyof C]: (input: z.input<C[K]['input']>) => Promise<z.output<C[K]['output']>>;
};

/** The error shape every transport returns for a failed call. */
export interface ApiErrorBody {
  readonly code: 'invalid_input' | 'not_found' | 'conflict' | 'forbidden' | 'unavailable' | 'internal';
  readonly message: string;
  /** Field paths and messages for invalid_input. */
  readonly issues?: ReadonlyArray<{ path: string; message: string }>;
}

export class ApiError extends Error {
  readonly code: ApiErrorBody['code'];
  readonly issues: ApiErrorBody['issues'];
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.issues = body.issues;
  }
}

/** A transport carries one call and resolves with the raw result or rejects with ApiError. */
export type CallTransport = (method: string, input: unknown) => Promise<unknown>;

/** Builds a typed client over any transport; results are validated against the contract. */
export function createApiClient<C extends ContractSpec>(contract: C, transport: CallTransport): ApiClient<C> {
  const client: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(contract)) {
    const spec = contract[name]!;
    client[name] = async (input: unknown) => spec.output.parse(await transport(name, input ?? {}));
  }
  return client as ApiClient<C>;
}
