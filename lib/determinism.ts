/**
 * What keeps the output byte-stable from run to run and machine to machine: one order for
 * strings and one hash for content.
 */
import { createHash } from 'node:crypto';

/**
 * Plain code-unit order. Not localeCompare: its first call loads ICU collation data, which
 * costs more than the rest of a synth, and output order must not depend on a locale anyway.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SHA-256 of the JSON of a value: a config change rolls the pods, a migration change renames the Job */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
