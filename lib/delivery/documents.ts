/**
 * The documents of an environment's files, parsed once per file map: every engine's plan reads
 * the same files. The synth registers the objects it has just written (render.ts), which the
 * tests show read back as exactly those objects, so the gate parses only the kustomizations.
 */
import type { Manifest } from '../policy/types';
import { readYamlDocuments } from '../yaml';

// objects are never changed in place: a Flux patch works on a copy
const parsed = new WeakMap<ReadonlyMap<string, string>, Map<string, Manifest[]>>();

/**
 * Documents already known for some files, e.g. the objects the synth has just written to them
 * (the tests show that every written file reads back as exactly its object): not parsed again.
 */
export function knownDocuments(
  files: ReadonlyMap<string, string>,
  known: ReadonlyMap<string, readonly Manifest[]>,
): void {
  const cache = cacheOf(files);
  for (const [name, docs] of known) if (files.has(name)) cache.set(name, [...docs]);
}

export function parseFile(files: ReadonlyMap<string, string>, name: string): Manifest[] {
  const cache = cacheOf(files);
  let docs = cache.get(name);
  if (!docs) cache.set(name, (docs = parseYaml(files.get(name)!)));
  return docs;
}

function cacheOf(files: ReadonlyMap<string, string>): Map<string, Manifest[]> {
  let cache = parsed.get(files);
  if (!cache) parsed.set(files, (cache = new Map()));
  return cache;
}

export function parseYaml(text: string): Manifest[] {
  return readYamlDocuments(text).filter((d): d is Manifest => d !== null && typeof d === 'object');
}
