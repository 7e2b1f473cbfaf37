/**
 * Mutations of a committed config, as fast-check arbitraries: edits of its data (set, delete),
 * written back as YAML, with a few text-level forms YAML data cannot carry (deep nesting,
 * escaped control characters).
 */
import * as fs from 'node:fs';
import * as fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { baseFile, configFile } from '../io/config-files';
import { BASE_FILE } from '../lib/config';
import { CONFIG_DIR, ENVIRONMENTS } from './helpers';

type Path = readonly (string | number)[];
type Data = Record<string, unknown>;

/** one edit of a config's data; `value` may hold DEEP, which the text replaces */
export type Edit =
  { readonly op: 'set'; readonly path: Path; readonly value: unknown } | { readonly op: 'delete'; readonly path: Path };

/** a committed config, read at test time: a new environment is fuzzed too */
export interface Base {
  readonly env: string;
  readonly data: Data;
}

export function committedBases(): Base[] {
  return ENVIRONMENTS.map((env) => ({
    env,
    data: parse(fs.readFileSync(configFile(CONFIG_DIR, env), 'utf8')) as Data,
  }));
}

/** the committed base file (config/_base.yaml), as a Base of its own; none when there is none */
export function committedBaseFile(): Base | undefined {
  const file = baseFile(CONFIG_DIR);
  if (!fs.existsSync(file)) return undefined;
  return { env: BASE_FILE, data: parse(fs.readFileSync(file, 'utf8')) as Data };
}

/** a case: which environment, the edits, and how its text is written */
export interface Case {
  readonly env: string;
  readonly edits: readonly Edit[];
  /** a nesting to put where the data says DEEP: [opening, innermost, closing, depth] */
  readonly deep?: readonly [string, string, string, number];
  /** write characters outside YAML's printable set as escapes (else raw) */
  readonly escape?: boolean;
}

export const DEEP = '@@deep@@';
/** YAML's printable characters (c-printable) */
const PRINTABLE = '\\t\\n\\r\\x20-\\x7e\\x85\\xa0-\\ud7ff\\ue000-\\ufffd\\u{10000}-\\u{10ffff}';
export const PRINTABLE_TEXT = new RegExp(`^[${PRINTABLE}]*$`, 'u');
/** a character outside YAML's printable set, or NEL, which YAML 1.1 reads as a line break */
const NON_PRINTABLE = new RegExp(`[^${PRINTABLE}]|\\x85`, 'u');

/** the config text of a case */
export function caseText(base: Base, c: Case): string {
  const data = structuredClone(base.data);
  for (const edit of c.edits) apply(data, edit);
  let text = stringify(data, { lineWidth: 0 });
  if (c.deep) {
    const [open, inner, close, depth] = c.deep;
    // the yaml library quotes the marker (it starts with an indicator): the quotes go with it
    text = text.replace(/["']?@@deep@@["']?/, open.repeat(depth) + inner + close.repeat(depth));
  }
  // the yaml library writes these raw inside double quotes; an attacker may as well escape them
  if (c.escape)
    text = text.replace(
      new RegExp(NON_PRINTABLE, 'gu'),
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return text;
}

function apply(data: Data, edit: Edit): void {
  let node: any = data;
  for (const key of edit.path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') {
      if (edit.op === 'delete') return;
      // an own property even for __proto__: what a YAML mapping gives
      Object.defineProperty(node, key, { value: {}, enumerable: true, writable: true, configurable: true });
    }
    node = node[key];
  }
  const last = edit.path[edit.path.length - 1];
  if (edit.op === 'delete') delete node[last];
  else Object.defineProperty(node, last, { value: edit.value, enumerable: true, writable: true, configurable: true });
}

/** a readable line for a failing case: the env and the edits, long values cut */
export function describeCase(c: Case): string {
  const short = (v: unknown) => {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 120 ? `${s.slice(0, 100)}... (${s.length} characters)` : s;
  };
  const edits = c.edits.map((e) =>
    e.op === 'delete' ? `delete ${e.path.join('.')}` : `set ${e.path.join('.')} = ${short(e.value)}`,
  );
  const deep =
    c.deep && c.edits.some((e) => e.op === 'set' && e.value === DEEP) ? `; ${DEEP} = ${c.deep[0]} x ${c.deep[3]}` : '';
  const printable = (v: unknown): boolean =>
    typeof v === 'string'
      ? !NON_PRINTABLE.test(v)
      : v === null || typeof v !== 'object' || Object.values(v).every(printable);
  const escaped = c.escape && c.edits.some((e) => e.op === 'set' && !printable(e.value)) ? ' (written as escapes)' : '';
  return `${c.env}: ${edits.join('; ')}${deep}${escaped}`;
}

/** a case as fast-check shows a counterexample: the description, not the megabytes */
export function withDescription(c: Case): Case {
  return Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) });
}

/** every path in the data, objects and lists included (not the root) */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

const at = (data: unknown, path: Path): unknown => path.reduce<any>((node, key) => node?.[key], data);

/** printable text beyond ASCII: letters of other scripts, emoji, combining marks */
const unicodeText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((s) => !NON_PRINTABLE.test(s) && !/[\u2028\u2029\ufeff]/.test(s));

/** a value of any YAML type */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }),
);

/** a huge string: a short unit repeated to tens or hundreds of thousands of characters */
const hugeText = fc
  .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 10_000, max: 200_000 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

/** a huge string at any path of one base */
export function hugeEdit(base: Base): fc.Arbitrary<Edit> {
  return fc
    .tuple(fc.constantFrom(...pathsOf(base.data)), hugeText)
    .map(([p, value]): Edit => ({ op: 'set', path: p, value }));
}

/**
 * Generic mutations of one base: drop a key, change a type, a key at the wrong level, huge
 * strings, unicode.
 */
export function genericEdit(base: Base): fc.Arbitrary<Edit> {
  const paths = pathsOf(base.data);
  const strings = paths.filter((p) => typeof at(base.data, p) === 'string');
  const objects = [
    [],
    ...paths.filter((p) => {
      const v = at(base.data, p);
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    }),
  ];
  const keyed = paths.filter((p) => typeof p[p.length - 1] === 'string');
  const path = fc.constantFrom(...paths);
  return fc.oneof(
    path.map((p): Edit => ({ op: 'delete', path: p })),
    fc.tuple(path, anyValue).map(([p, value]): Edit => ({ op: 'set', path: p, value })),
    // a key that exists, with its value, under another mapping
    fc
      .tuple(fc.constantFrom(...keyed), fc.constantFrom(...objects))
      .map(([from, to]): Edit => ({ op: 'set', path: [...to, from[from.length - 1]], value: at(base.data, from) })),
    hugeEdit(base),
    fc
      .tuple(fc.constantFrom(...strings), unicodeText, fc.constantFrom('replace', 'prefix', 'suffix'))
      .map(([p, text, how]): Edit => {
        const old = at(base.data, p) as string;
        return { op: 'set', path: p, value: how === 'replace' ? text : how === 'prefix' ? text + old : old + text };
      }),
  );
}

/** the same name in another case: at least one letter lowercase */
export function otherCase(name: string): fc.Arbitrary<string> {
  return fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((lower) => [...name].map((ch, i) => (lower[i] ? ch.toLowerCase() : ch)).join(''))
    .filter((n) => n !== name);
}

/** a spelling in any case */
export function anyCase(word: string): fc.Arbitrary<string> {
  return fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''));
}
