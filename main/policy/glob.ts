// Globs compiled once into plain regular expressions. "*" stays within one path segment, "**"
// crosses "/". A bare RegExp test is several times faster than picomatch's matcher wrapper,
// which matters when an unseen tool name is checked against every rule.
import picomatch from 'picomatch';
import { GLOB_OPTIONS } from '../../shared/policy.ts';

export type Matcher = (value: string) => boolean;

export function compileGlob(pattern: string): Matcher {
  if (pattern === '*' || pattern === '**') return () => true;
  if (!/[*?[\]{}()!+@\\]/.test(pattern)) return (value) => value === pattern;
  const re = picomatch.makeRe(pattern, GLOB_OPTIONS);
  return (value) => re.test(value);
}
