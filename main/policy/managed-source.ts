// The managed policy file: an OS path only an administrator can write. A missing file means
// "no managed policy" (machines that are not managed keep working); a file that exists but
// cannot be read or parsed or does not validate fails closed: every server is refused with a
// message naming the file and the error, until it is fixed or removed.
import { lstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PolicyDocumentSchema } from '../../shared/policy.ts';
import type { ManagedState } from './engine.ts';
import { formatZodIssues } from '../base/zod-issues.ts';

export const MANAGED_POLICY_ENV = 'SWITCHBOARD_MANAGED_POLICY';

export function osManagedPolicyPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'darwin') return '/Library/Application Support/MCP Switchboard/policy.json';
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'MCP Switchboard', 'policy.json');
  return '/etc/mcp-switchboard/policy.json';
}

/**
 * Where the managed policy is read from. $SWITCHBOARD_MANAGED_POLICY (tests, evaluation) is
 * honoured only while nothing exists at the OS path: a user cannot escape an administrator's
 * policy by pointing the variable elsewhere.
 */
export function managedPolicyPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, exists: (file: string) => boolean = pathExists): string {
  const osPath = osManagedPolicyPath(platform, env);
  const override = env[MANAGED_POLICY_ENV];
  if (override && !exists(osPath)) return override;
  return osPath;
}

/** True unless the path is known not to exist (a permission error counts as existing: fail closed). */
function pathExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR';
  }
}

export async function loadManagedPolicy(file: string): Promise<ManagedState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'absent', path: file };
    return { state: 'error', path: file, message: `cannot read: ${(error as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { state: 'error', path: file, message: `invalid JSON: ${(error as Error).message}` };
  }
  const parsed = PolicyDocumentSchema.safeParse(raw);
  if (!parsed.success) return { state: 'error', path: file, message: `invalid policy: ${formatZodIssues(parsed.error)}` };
  return { state: 'active', path: file, policy: parsed.data };
}
