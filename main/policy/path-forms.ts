// The forms a path-like argument can take that reach the same file: "/home/u/./.ssh/id_rsa",
// "/home/u/x/../.ssh//id_rsa" and "C:\Users\u\.ssh\id_rsa" are all ".ssh" paths to a server that
// opens them, but not to a glob written as "**/.ssh/**". Argument conditions test every form, so
// a deny cannot be dodged by spelling a path differently, and an allow holds only when it holds
// for every spelling (so "/srv/public/../secret" is not under "/srv/public/**").
import path from 'node:path';

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The value itself, then (for a path) its form with "/" separators and its normalised form. */
export function pathForms(value: string): readonly string[] {
  if (URL_SCHEME.test(value) || (!value.includes('/') && !value.includes('\\'))) return [value];
  const slashed = value.replaceAll('\\', '/');
  const normalised = path.posix.normalize(slashed);
  return [...new Set([value, slashed, normalised])];
}
