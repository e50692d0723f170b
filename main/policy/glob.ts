// Globs compiled once into plain regular expressions. "*" stays within one path segment, "**"
// crosses "/". A bare RegExp test is several times faster than picomatch's matcher wrapper,
// which matters when an unseen tool name is checked against every rule.
import picomatch from 'picomatch';
import { GLOB_OPTIONS } from '../../shared/policy.ts';

export type Matcher = (value: string) => boolean;

export function compileGlob(pattern: string, options: { nocase?: boolean } = {}): Matcher {
  if (pattern === '*' || pattern === '**') return () => true;
  if (!/[*?[\]{}()!+@\\]/.test(pattern)) {
    if (options.nocase) {
      const folded = pattern.toLowerCase();
      return (value) => value.toLowerCase() === folded;
    }
    return (value) => value === pattern;
  }
  const re = picomatch.makeRe(pattern, { ...GLOB_OPTIONS, ...options });
  return (value) => re.test(value);
}
