// The `profiles` section of a policy document: tool surfaces IT ships (managed file or signed org
// document). A user may narrow a shipped profile with a config profile of the same name (fewer
// servers, fewer tools, more deferred, other names), never widen it (main/profiles/profile-merge.ts).
import { z } from 'zod';
import { ProfileSchema } from './profiles.ts';

// Lazy: shared/profiles.ts takes the server matcher from shared/policy.ts, which imports this file.
export const PolicyProfilesSchema = z.array(z.lazy(() => ProfileSchema))
  .describe('Named tool surfaces shipped by this policy; users may narrow them (exclude more, defer, rename), never widen them (add servers, include what the profile leaves out)');
export type PolicyProfiles = z.infer<typeof PolicyProfilesSchema>;
