/**
 * From zod's issues to errors a person can act on: every problem, with "did you mean", where a
 * misplaced key belongs, a quoted value where YAML read a number, what a missing block holds.
 */
import * as z from 'zod/mini';
import { printableJson } from '../yaml';
import { cpuQuantity, memoryQuantity, quantity } from './formats';
import { ConfigError, shown, type ConfigSource } from './errors';
import { configSchema } from './schema';

type Issue = z.core.$ZodIssue;

/**
 * Every schema problem, one error each. A misspelt key also leaves its correct name missing: the
 * misspelling is reported, it explains both.
 */
export function issuesToErrors(issues: readonly Issue[], raw: unknown, source: ConfigSource): ConfigError[] {
  const misspelt = new Set<string>();
  const errors: ConfigError[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const path = issue.path.map(String);
    for (const key of issue.keys) {
      const hint = closest(key, knownKeys(path));
      if (hint) misspelt.add([...path, hint].join('.'));
      errors.push(unknownKeyError(path, key, source));
    }
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const missing = (issue as { input?: unknown }).input === undefined;
    if (missing && misspelt.has(issue.path.map(String).join('.'))) continue;
    errors.push(issueToError(issue, source));
  }
  return errors.length > 0
    ? errors
    : [new ConfigError(source, '', `got ${describe(raw)}; allowed: see README, "Configuration"`)];
}

/**
 * A key the schema does not have at this path, with "did you mean" when one is close or the key
 * belongs elsewhere
 */
export function unknownKeyError(path: readonly string[], key: string, source: ConfigSource): ConfigError {
  const known = knownKeys(path);
  const hint = closest(key, known);
  const elsewhere = hint ? undefined : keyElsewhere(key);
  const suggestion = hint
    ? ` (did you mean "${hint}"?)`
    : elsewhere
      ? elsewhere.includes('.')
        ? ` (did you mean "${elsewhere}"? it belongs there)`
        : ` ("${elsewhere}" is a top-level key: move it out of ${path.join('.')})`
      : '';
  const allowed = known.length > 0 ? `allowed keys here: ${known.join(', ')}` : 'allowed: any other key';
  return new ConfigError(source, [...path, key].join('.'), `unknown key ${shown(key)}${suggestion}; ${allowed}`);
}

function issueToError(issue: Issue, source: ConfigSource): ConfigError {
  const path = issue.path.map(String);
  const field = path.join('.');
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type': {
      const node = unwrap(nodeAt(path));
      if (input === undefined) {
        // a missing block: say what goes in it
        const needs = node instanceof z.ZodMiniObject ? blockContents(node) : '';
        return new ConfigError(source, field, `missing; allowed: ${typeName(issue.expected)}${needs}`);
      }
      if (issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
        // YAML reads 512, 0.5 or yes as a number or a boolean; quoted, a memory 512 is 512 bytes
        const key = field.split('.').pop();
        if ((node === memoryQuantity || node === quantity) && typeof input === 'number')
          return new ConfigError(
            source,
            field,
            `got ${describe(input)}; allowed: a quantity with its unit, quoted, e.g. ${key}: "${input}Mi" (a bare number is bytes)`,
          );
        if (node === cpuQuantity && typeof input === 'number')
          return new ConfigError(
            source,
            field,
            `got ${describe(input)}; allowed: a quantity, quoted, e.g. ${key}: "${input}" or "${Math.round(input * 1000)}m"`,
          );
        return new ConfigError(
          source,
          field,
          `got ${describe(input)}; allowed: a string: quote it, e.g. ${key}: "${String(input)}"`,
        );
      }
      return new ConfigError(source, field, `got ${describe(input)}; allowed: ${typeName(issue.expected)}`);
    }
    case 'invalid_value':
      return new ConfigError(
        source,
        field,
        `got ${describe(input)}; allowed: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
      );
    case 'invalid_format':
    case 'custom': {
      // "512" is 512 bytes, and no container runs in that: the unit was meant
      const bytes = unwrap(nodeAt(path)) === memoryQuantity && typeof input === 'string' && /^[1-9]\d*$/.test(input);
      const unit = bytes ? ` (${shown(input)} is ${input} bytes: did you mean "${input}Mi"?)` : '';
      return new ConfigError(source, field, `got ${describe(input)}; allowed: ${issue.message}${unit}`);
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `>= ${issue.minimum}` : `<= ${issue.maximum}`;
      const what = issue.origin === 'array' ? 'items' : issue.origin === 'string' ? 'characters' : '';
      return new ConfigError(source, field, `got ${describe(input)}; allowed: ${what ? `${what} ${bound}` : bound}`);
    }
    case 'invalid_key':
      return new ConfigError(
        source,
        field,
        `got key ${describe(input)}; allowed: ${issue.issues[0]?.message ?? 'a valid key'}`,
      );
    case 'invalid_union':
      // each union of the schema says what it allows
      return new ConfigError(source, field, `got ${describe(input)}; allowed: ${issue.message}`);
    default:
      return new ConfigError(source, field, `got ${describe(input)}; ${issue.message}`);
  }
}

/** the schema node at a path of object keys and list indexes (a peer or a list of peers: either) */
function nodeAt(path: readonly string[]): z.ZodMiniType | undefined {
  let node: z.ZodMiniType | undefined = configSchema;
  for (const part of path) {
    node = unwrap(node);
    if (node instanceof z.ZodMiniPipe) node = unwrap(node._zod.def.in as z.ZodMiniType);
    if (node instanceof z.ZodMiniUnion) {
      const options = node._zod.def.options as z.ZodMiniType[];
      node = options.find((o) => (/^\d+$/.test(part) ? o instanceof z.ZodMiniArray : o instanceof z.ZodMiniObject));
    }
    // a list's items: the path names them by index
    if (node instanceof z.ZodMiniArray && /^\d+$/.test(part)) node = node._zod.def.element as z.ZodMiniType;
    // a record's entries (workers.<name>) all have its value's schema
    else if (node instanceof z.ZodMiniRecord) node = node._zod.def.valueType as z.ZodMiniType;
    // own keys only: "constructor" is no field of the schema
    else if (node instanceof z.ZodMiniObject)
      node = Object.hasOwn(node.shape, part) ? (node.shape[part] as z.ZodMiniType) : undefined;
    else return undefined;
  }
  return node;
}

/** ", with keys a (required), b, c" for a missing block */
function blockContents(node: z.ZodMiniObject): string {
  const keys = Object.entries(node.shape).map(([k, v]) =>
    (v as z.ZodMiniType)._zod.optin === undefined ? `${k} (required)` : k,
  );
  return ` with the keys ${keys.join(', ')}`;
}

/** the full path of the one place in the schema where a key of this name belongs */
function keyElsewhere(key: string): string | undefined {
  const found = keyPaths().get(key);
  return found ? found.join('" or "') : undefined;
}

let paths: Map<string, string[]> | undefined;

/** every key of the schema, with the full paths it has: made once, a file may hold thousands of unknown keys */
function keyPaths(): Map<string, string[]> {
  if (paths) return paths;
  const found = new Map<string, string[]>();
  const walk = (node: z.ZodMiniType | undefined, path: string[]): void => {
    const object = unwrap(node);
    if (!(object instanceof z.ZodMiniObject)) return;
    for (const [k, child] of Object.entries(object.shape)) {
      found.set(k, [...(found.get(k) ?? []), [...path, k].join('.')]);
      walk(child as z.ZodMiniType, [...path, k]);
    }
  };
  walk(configSchema, []);
  return (paths = found);
}

/** the keys the schema allows at an object path, for "did you mean" hints */
function knownKeys(path: readonly string[]): string[] {
  let node = unwrap(nodeAt(path));
  if (node instanceof z.ZodMiniPipe) node = unwrap(node._zod.def.in as z.ZodMiniType);
  if (node instanceof z.ZodMiniUnion)
    node = (node._zod.def.options as z.ZodMiniType[]).find((o) => o instanceof z.ZodMiniObject);
  return node instanceof z.ZodMiniObject ? Object.keys(node.shape) : [];
}

function unwrap(node: z.ZodMiniType | undefined): z.ZodMiniType | undefined {
  let current = node as { _zod?: { def: { innerType?: z.ZodMiniType } } } | undefined;
  while (current?._zod?.def.innerType) current = current._zod.def.innerType as typeof current;
  return current as z.ZodMiniType | undefined;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  // no key of the schema is this long: no edit distance to compute
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list ${truncate(printableJson(value))}`;
  if (typeof value === 'object') return `a mapping ${truncate(printableJson(value))}`;
  if (typeof value === 'string') return `string ${shown(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    number: 'a number',
    int: 'a whole number',
    string: 'a string',
    boolean: 'true or false',
  };
  return names[expected] ?? expected;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
