// A stdio server's sandbox profile (config.json `servers[].sandbox`) and the state the daemon
// reports for it. The profile names only what the server may reach beyond its runtime (the
// command's own install, /usr, the needed files of /etc): main/sandbox/ adds those at launch.
import { z } from 'zod';

/** Absolute ("/srv/data") or home-relative ("~/.npm"); resolved against the daemon's HOME at launch. */
export const SandboxPathSchema = z.string().min(1).max(4096).refine(
  (p) => p.startsWith('/') || p === '~' || p.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(p),
  { message: 'a sandbox path must be absolute ("/srv/data") or start with "~/"' },
).refine((p) => !p.split(/[\\/]/).includes('..'), { message: 'a sandbox path may not contain ".."' })
  .refine((p) => !p.includes('\0') && !p.includes('\n'), { message: 'a sandbox path may not contain NUL or newline characters' });

export const SandboxNetworkSchema = z.enum(['none', 'all']).describe('none: no network at all (not even loopback); all: the host network');
export type SandboxNetwork = z.infer<typeof SandboxNetworkSchema>;

export const SandboxProfileSchema = z.object({
  /** false keeps the profile but runs the server unconfined (policy may refuse that). */
  enabled: z.boolean().default(true),
  network: SandboxNetworkSchema.default('none'),
  /** Paths the server may read. */
  readOnly: z.array(SandboxPathSchema).default([]),
  /** Paths the server may read and write. A missing one under the temp folder is created; any other missing one is refused. */
  readWrite: z.array(SandboxPathSchema).default([]),
}).strict();
export type SandboxProfile = z.infer<typeof SandboxProfileSchema>;
export type SandboxProfileInput = z.input<typeof SandboxProfileSchema>;

/** Which sandbox this machine can run, as the daemon probed it once. */
export const SandboxSupportSchema = z.object({
  available: z.boolean(),
  /** bwrap (Linux), sandbox-exec (macOS), or none (Windows, or nothing usable). */
  mechanism: z.enum(['bwrap', 'sandbox-exec', 'none']),
  /** Why it is unavailable, and what to install or ask IT for. */
  message: z.string().optional(),
});
export type SandboxSupport = z.infer<typeof SandboxSupportSchema>;

/**
 * How a server runs, as the audit records and the inventory carry it:
 * "bwrap network=none", "sandbox-exec network=all", "not sandboxed" (no profile or disabled),
 * "not sandboxed (unavailable: …)" or "remote" (reached over the network, outside any sandbox).
 */
export type SandboxState = string;
