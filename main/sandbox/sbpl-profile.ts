// The macOS sandbox-exec profile (Apple's Sandbox Profile Language, a TinyScheme dialect) for one
// launch: deny by default; let the process run (exec, fork, signals to itself, sysctl and Mach
// lookups the runtime needs); read the system's own folders, the runtime and the profile's paths;
// write only the profile's writable paths, the private temp folder and the /dev nodes every
// program uses; network only when the profile says `all`. Metadata reads (stat) are allowed
// everywhere: runtimes walk every parent folder of a path when they resolve it.
//
// Rules of the language the generator keeps (tested as text in test/unit/sandbox/sbpl-profile.test.ts):
// the first form is (version 1); strings are double-quoted with \ and " escaped; `subpath` and
// `literal` take absolute paths without a trailing slash; the last matching rule wins, so the
// broad deny comes first and the allows after it.
import type { SandboxPlan } from './sandbox-plan.ts';
import { orderedBinds } from './bwrap-args.ts';

/** Read-only system locations every macOS program needs (dyld cache, frameworks, locale, time zone). */
export const MACOS_SYSTEM_READ = [
  '/System', '/usr', '/bin', '/sbin', '/Library/Apple', '/Library/Frameworks', '/Library/Preferences',
  '/private/etc', '/private/var/db/timezone', '/private/var/db/dyld', '/opt/homebrew', '/usr/local',
  '/dev', '/Applications/Xcode.app/Contents/Developer',
] as const;

export function sbplString(value: string): string {
  if (value.includes('\0')) throw new Error('a sandbox path may not contain a NUL character');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function subpath(p: string): string {
  if (!p.startsWith('/')) throw new Error(`sandbox-exec needs absolute paths, got "${p}"`);
  return `(subpath ${sbplString(p.length > 1 ? p.replace(/\/+$/, '') : p)})`;
}

/** `tempDir` is the server's private temp folder (its TMPDIR), created by the caller. */
export function sbplProfile(plan: SandboxPlan, tempDir: string): string {
  const binds = orderedBinds(plan);
  const readable = [...MACOS_SYSTEM_READ, ...binds.map((b) => b.path), tempDir];
  const writable = [...binds.filter((b) => b.writable).map((b) => b.path), tempDir];
  const lines = [
    '(version 1)',
    '(deny default)',
    '(allow process-exec process-fork)',
    '(allow signal (target same-sandbox))',
    '(allow process-info* (target same-sandbox))',
    '(allow sysctl-read)',
    '(allow mach-lookup)',
    '(allow ipc-posix-shm)',
    '(allow user-preference-read)',
    '(allow file-read-metadata)',
    `(allow file-read* ${readable.map(subpath).join(' ')})`,
    `(allow file-write* ${writable.map(subpath).join(' ')})`,
    '(allow file-write-data (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty") (literal "/dev/dtracehelper"))',
    '(allow file-ioctl (literal "/dev/dtracehelper"))',
  ];
  lines.push(plan.network === 'all' ? '(allow network*)' : '(deny network*)');
  return `${lines.join('\n')}\n`;
}

/** The sandbox-exec command line: the profile inline, then the server's command. */
export function sandboxExecArgs(plan: SandboxPlan, tempDir: string): string[] {
  return ['-p', sbplProfile(plan, tempDir), plan.command, ...plan.args];
}
