// Claude Code expands `${VAR}` and `${VAR:-default}` in an entry's command, args, env, url and
// headers when it starts the server. The app runs the server itself, so on import:
//   - a reference the environment defines (or that has a default) is expanded;
//   - an env var or header that refers to a secret-shaped variable (GITHUB_TOKEN, API_KEY…) becomes
//     a keychain reference: its expanded value goes to the keychain, or, when the environment does
//     not define it, the user is told to set that keychain entry;
//   - every other reference left unexpanded is named in a warning, on every import.
import type { ClientEntry } from './adapter.ts';
import { SECRET_NAME } from './secret-detection.ts';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface ExpandedEntry {
  entry: ClientEntry;
  /** Env var / header names whose value refers to a secret: kept in the keychain whatever the value looks like. */
  secretKeys: Set<string>;
  /** Of those, the ones whose variable the environment does not define: the user must set the keychain entry. */
  missingSecrets: Map<string, string[]>;
  /** References left as they were, described for the user. */
  warnings: string[];
}

/** Expands one value; `missing` collects the variables it could not expand. */
function expand(value: string, environment: NodeJS.ProcessEnv, missing: string[], referenced: string[]): string {
  return value.replace(REFERENCE, (whole, name: string, fallback: string | undefined) => {
    referenced.push(name);
    const defined = environment[name];
    // As in a shell: `${VAR:-default}` takes the default when VAR is unset or empty.
    if (defined !== undefined && (fallback === undefined || defined !== '')) return defined;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return whole;
  });
}

export function expandReferences(name: string, entry: ClientEntry, environment: NodeJS.ProcessEnv): ExpandedEntry {
  const warnings: string[] = [];
  const secretKeys = new Set<string>();
  const missingSecrets = new Map<string, string[]>();
  const notSet = (missing: string[], where: string) => {
    if (missing.length > 0) {
      warnings.push(`${name}: ${where} refers to ${[...new Set(missing)].map((v) => `\${${v}}`).join(', ')}, not set in the app's environment; `
        + 'it was imported as written, which the server will see literally: put the value in the server\'s settings in the app');
    }
  };
  const plain = (value: string, where: string): string => {
    const missing: string[] = [];
    const out = expand(value, environment, missing, []);
    notSet(missing, where);
    return out;
  };
  const values = (map: Record<string, string>, kind: 'env' | 'header'): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(map)) {
      const missing: string[] = [];
      const referenced: string[] = [];
      out[key] = expand(value, environment, missing, referenced);
      const secret = referenced.length > 0 && (SECRET_NAME.test(key) || referenced.some((v) => SECRET_NAME.test(v)));
      if (!secret) {
        notSet(missing, `${kind} ${key}`);
        continue;
      }
      secretKeys.add(key);
      if (missing.length > 0) missingSecrets.set(key, [...new Set(missing)]);
    }
    return out;
  };
  if (entry.kind === 'stdio') {
    return {
      entry: {
        kind: 'stdio', command: plain(entry.command, 'the command'), args: entry.args.map((a, i) => plain(a, `argument ${i + 1}`)),
        env: values(entry.env, 'env'), ...(entry.cwd !== undefined ? { cwd: plain(entry.cwd, 'the working folder') } : {}),
      },
      secretKeys, missingSecrets, warnings,
    };
  }
  return {
    entry: { ...entry, url: plain(entry.url, 'the URL'), headers: values(entry.headers, 'header') },
    secretKeys, missingSecrets, warnings,
  };
}

/** A value that still holds a reference the environment could not expand. */
export function hasUnexpandedReference(value: string): boolean {
  return new RegExp(REFERENCE.source).test(value);
}
