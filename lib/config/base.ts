/**
 * The base file under an environment's file: config/_base.yaml holds what every environment
 * shares, and each config/<env>.yaml is merged over it before validation.
 *
 * Mappings merge key by key, the environment's value winning; a list or a scalar is replaced
 * whole; `null` in the environment's file removes the base's value at that key. Each merged
 * value remembers the file it came from, so an error names that file.
 */

/** the base file's name in the config folder: no environment's, as an environment's name starts with a letter or digit */
export const BASE_FILE = '_base.yaml';

/** which file a value of the merged config came from */
type Origin = 'base' | 'env' | 'both';

export interface Merged {
  /** the environment's data over the base's */
  readonly data: unknown;
  /** the file (or files) that hold a field, as errors name it: `app.image.tag`, `route.hostnames[0]` */
  fileOf(field: string): string;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The environment's mapping over the base's, with the file of each value.
 * @param files the base's file and the environment's, as the user knows them
 */
export function mergeOverBase(
  base: Record<string, unknown>,
  env: Record<string, unknown>,
  files: { readonly base: string; readonly env: string },
): Merged {
  // joined field paths of every merged value, and where it came from: mappings and leaves
  const origins = new Map<string, Origin>();
  const mappings = new Set<string>();
  const mark = (value: unknown, path: string, origin: Origin): void => {
    origins.set(path, origin);
    if (isMapping(value)) mappings.add(path);
    if (isMapping(value)) for (const [k, v] of Object.entries(value)) mark(v, join(path, k), origin);
  };
  const merge = (b: Record<string, unknown>, e: Record<string, unknown>, path: string): Record<string, unknown> => {
    origins.set(path, 'both');
    mappings.add(path);
    const out: Record<string, unknown> = {};
    // own properties only, defined as data: a key such as "constructor" stays a key (and is
    // refused later, naming its file)
    const put = (key: string, value: unknown) =>
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    for (const key of Object.keys(b)) {
      const at = join(path, key);
      if (!Object.hasOwn(e, key)) {
        put(key, b[key]);
        mark(b[key], at, 'base');
      } else if (e[key] === null) {
        // removed by the environment: nothing of the base's is left at this key
      } else if (isMapping(b[key]) && isMapping(e[key])) {
        put(key, merge(b[key], e[key], at));
      } else {
        put(key, e[key]);
        mark(e[key], at, 'env');
      }
    }
    for (const key of Object.keys(e)) {
      if (Object.hasOwn(b, key)) continue;
      put(key, e[key]);
      mark(e[key], join(path, key), 'env');
    }
    return out;
  };
  const data = merge(base, env, '');
  const named: Record<Origin, string> = { base: files.base, env: files.env, both: `${files.base} and ${files.env}` };
  return {
    data,
    fileOf(field: string): string {
      // the longest merged value the field is, or is inside of
      for (let end = field.length; end > 0; end = lastBoundary(field, end)) {
        const origin = origins.get(field.slice(0, end));
        if (origin === undefined) continue;
        // a field missing inside a mapping (a required key, a default a rule judged) is the
        // environment's to set; inside a list or a scalar it is the file of that value
        if (end < field.length && mappings.has(field.slice(0, end))) return files.env;
        return named[origin];
      }
      return files.env;
    },
  };
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** the end of the field's next shorter prefix at a "." or "[" boundary, 0 when there is none */
function lastBoundary(field: string, end: number): number {
  for (let i = end - 1; i > 0; i--) if (field[i] === '.' || field[i] === '[') return i;
  return 0;
}
