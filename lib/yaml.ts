/**
 * YAML for the synthesized objects. The data is plain JSON (maps, lists, strings, numbers,
 * booleans), so a block-style emitter needs only a conservative rule for when a string may go
 * unquoted; everything else is written as a JSON string, which is valid YAML. js-yaml's writer
 * did the same job for 20 ms (8%) more per synth, measured A/B, which the synth's budget
 * against `helm template` does not have; the tests round-trip every file through two parsers.
 */

/** strings YAML 1.1 or 1.2 would read as something else: booleans, null, numbers */
const NOT_A_STRING =
  /^(?:[-+]?(?:\.?\d[\d_.:]*(?:[eE][-+]?\d+)?|0[xXoObB][\da-fA-F_]+|\.(?:inf|Inf|INF|nan|NaN|NAN))|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
/** YAML 1.1 timestamps (2001-12-14, 2001-12-14t21:59:43.10-05:00): go-yaml and PyYAML read them as dates */
const TIMESTAMP = /^\d{4}-\d\d?-\d\d?(?:$|[Tt ])/;
/** characters a plain scalar may hold here: no indicators, no quotes, no control characters */
const PLAIN =
  /^[A-Za-z0-9_./][A-Za-z0-9_./:@+=%,-]*(?: [A-Za-z0-9_./:@+=%,-]+)*$|^--?[A-Za-z0-9_./][A-Za-z0-9_./:@+=%,-]*$/;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (!['string', 'number', 'boolean'].includes(typeof value))
    throw new Error(`cannot write a ${typeof value} as YAML`);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  const plain = PLAIN.test(value) && !NOT_A_STRING.test(value) && !TIMESTAMP.test(value);
  if (plain && !value.endsWith(':') && !value.includes(': ')) return value;
  // printable ASCII with double quotes reads better single-quoted: only ' is escaped there
  if (/^[\x20-\x7E]*$/.test(value) && value.includes('"')) return `'${value.replace(/'/g, "''")}'`;
  // JSON's escapes are a subset of YAML's double-quoted ones; line and paragraph separators
  // are escaped too, since YAML would fold them
  return JSON.stringify(value)
    .replace(/\u2028/g, '\\L')
    .replace(/\u2029/g, '\\P');
}

function isCollection(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function inline(value: unknown): string {
  if (isCollection(value)) return Array.isArray(value) ? '[]' : '{}';
  return scalar(value as string | number | boolean | null);
}

function writeMap(map: Record<string, unknown>, indent: string, out: string[], firstPrefix?: string): void {
  let first = true;
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const lead = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    const k = scalar(key);
    if (isCollection(value) && !isEmpty(value)) {
      out.push(`${lead}${k}:`);
      if (Array.isArray(value)) writeList(value, `${indent}  `, out);
      else writeMap(value as Record<string, unknown>, `${indent}  `, out);
    } else {
      out.push(`${lead}${k}: ${inline(value)}`);
    }
  }
  if (first && firstPrefix !== undefined) out.push(`${firstPrefix}{}`);
}

function writeList(list: readonly unknown[], indent: string, out: string[]): void {
  for (const item of list) {
    if (isCollection(item) && !isEmpty(item)) {
      if (Array.isArray(item)) {
        out.push(`${indent}-`);
        writeList(item, `${indent}  `, out);
      } else {
        writeMap(item as Record<string, unknown>, `${indent}  `, out, `${indent}- `);
      }
    } else {
      out.push(`${indent}- ${inline(item === undefined ? null : item)}`);
    }
  }
}

/** block-style YAML for JSON-compatible data, ending in a newline */
export function toYaml(value: unknown): string {
  if (!isCollection(value) || isEmpty(value)) return `${inline(value)}\n`;
  const out: string[] = [];
  if (Array.isArray(value)) writeList(value, '', out);
  else writeMap(value as Record<string, unknown>, '', out);
  return `${out.join('\n')}\n`;
}
