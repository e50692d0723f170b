// What org sync knows of the organisation's policy: the verified document, or why there is none.
import type { PolicyDocument } from '../../shared/policy.ts';

export type OrgState =
  | { readonly state: 'active'; readonly url: string; readonly policy: PolicyDocument; readonly fetchedAt: string; readonly lastError?: string }
  | { readonly state: 'unavailable'; readonly url: string; readonly required: boolean; readonly message: string };
