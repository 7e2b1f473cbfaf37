/**
 * Schema validation of synthesized objects, in one walk per object: unknown fields, missing
 * required fields, types, integer ranges, enumerations and string formats. Core objects are
 * checked against the Kubernetes 1.28 API (imports/k8s-1.28-schema.json), the GitOps delivery
 * objects against their CRDs' schemas (imports/crd-schema.json, which refers to the 1.28
 * ObjectMeta); scripts/import-schema.mjs and scripts/import-crd-schema.mjs say where each fact
 * in them comes from. A definition is parsed the first time an object needs it.
 */
import core from '../imports/k8s-1.28-schema.json';
import crds from '../imports/crd-schema.json';
import { objectRef, type Manifest, type Violation } from './policy/types';
import { isQuantity } from './quantity';

type Scalar =
  'string' | 'boolean' | 'integer' | 'int32' | 'number' | 'any' | 'date-time' | 'byte' | 'int-or-string' | 'quantity';
type Type =
  | { readonly k: Scalar }
  | { readonly k: 'enum'; readonly values: readonly string[] }
  | { readonly k: 'ref'; readonly id: string }
  | { readonly k: 'list' | 'map'; readonly of: Type };

interface Definition {
  readonly fields: ReadonlyMap<string, Type>;
  readonly required: readonly string[];
}

const KINDS: Readonly<Record<string, string>> = { ...core.kinds, ...crds.kinds };
const SOURCES: Readonly<Record<string, string>> = { ...core.definitions, ...crds.definitions };
/** what errors call a CRD's schema, by apiVersion/kind ("Argo CD Application") */
const CRD_NAMES: Readonly<Record<string, string>> = crds.names;
const KNOWN = [
  `Kubernetes ${core.kubernetes}`,
  ...Object.entries(CRD_NAMES).map(([key, name]) => `${name} (${key.slice(0, key.lastIndexOf('/'))})`),
].join(', ');
const RULE = 'schema';

const parsed = new Map<string, Definition>();

function definition(id: string): Definition {
  let def = parsed.get(id);
  if (!def) {
    const source = SOURCES[id];
    if (source === undefined) throw new Error(`the schema has no definition ${id}`);
    const fields = new Map<string, Type>();
    const required: string[] = [];
    for (const entry of source ? source.split(' ') : []) {
      const at = entry.indexOf(':');
      const name = entry.slice(entry.startsWith('!') ? 1 : 0, at);
      if (entry.startsWith('!')) required.push(name);
      fields.set(name, parseType(entry.slice(at + 1)));
    }
    def = { fields, required };
    parsed.set(id, def);
  }
  return def;
}

function parseType(text: string): Type {
  if (text.startsWith('[]')) return { k: 'list', of: parseType(text.slice(2)) };
  if (text.startsWith('{}')) return { k: 'map', of: parseType(text.slice(2)) };
  if (text.startsWith('#')) return { k: 'ref', id: text.slice(1) };
  if (text.startsWith('enum(')) return { k: 'enum', values: text.slice(5, -1).split('|').map(decodeURIComponent) };
  return { k: text as Scalar };
}

// RFC 3339 date-time
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const INT32 = 2 ** 31;

export function validateSchema(manifest: Manifest): Violation[] {
  const object = objectRef(manifest);
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const id = KINDS[key];
  if (id === undefined)
    return [
      {
        rule: RULE,
        object,
        message: `apiVersion ${manifest.apiVersion} kind ${manifest.kind} is in none of the known schemas: ${KNOWN}`,
      },
    ];
  const problems: string[] = [];
  const { apiVersion: _a, kind: _k, ...rest } = manifest;
  checkObject(rest, id, '', CRD_NAMES[key] ?? `Kubernetes ${core.kubernetes} ${manifest.kind}`, problems);
  return problems.map((message) => ({ rule: RULE, object, message }));
}

function checkObject(value: object, id: string, path: string, schemaName: string, problems: string[]): void {
  const def = definition(id);
  const data = value as Record<string, unknown>;
  for (const name of def.required) {
    if (data[name] === undefined) problems.push(`${path || '(root)'}: missing required field ${name}`);
  }
  for (const key of Object.keys(data)) {
    const item = data[key];
    if (item === undefined) continue;
    const at = path ? `${path}.${key}` : key;
    const type = def.fields.get(key);
    if (type === undefined) problems.push(`unknown field ${at} (not in the ${schemaName} schema)`);
    else checkValue(item, type, at, schemaName, problems);
  }
}

function checkValue(value: unknown, type: Type, path: string, schemaName: string, problems: string[]): void {
  const refuse = (expected: string) => problems.push(`${path}: must be ${expected} (got ${JSON.stringify(value)})`);
  switch (type.k) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') refuse('string');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') refuse('boolean');
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) refuse('number');
      return;
    case 'integer':
      if (!Number.isSafeInteger(value)) refuse('integer');
      return;
    case 'int32':
      if (!Number.isInteger(value)) refuse('integer');
      else if ((value as number) < -INT32 || (value as number) >= INT32) refuse('a 32-bit integer');
      return;
    case 'int-or-string':
      if (typeof value !== 'string' && !Number.isInteger(value)) refuse('integer or string');
      return;
    case 'quantity':
      if (!(typeof value === 'number' && Number.isFinite(value)) && !(typeof value === 'string' && isQuantity(value))) {
        refuse('a quantity such as 250m, 128Mi or 2');
      }
      return;
    case 'date-time':
      if (typeof value !== 'string' || !DATE_TIME.test(value)) refuse('an RFC 3339 date-time');
      return;
    case 'byte':
      if (typeof value !== 'string' || !BASE64.test(value)) refuse('base64');
      return;
    case 'enum':
      if (typeof value !== 'string' || !type.values.includes(value)) refuse(`one of ${type.values.join(', ')}`);
      return;
    case 'list':
      if (!Array.isArray(value)) refuse('a list');
      else value.forEach((item, i) => checkValue(item, type.of, `${path}[${i}]`, schemaName, problems));
      return;
    case 'map':
      if (!isMapping(value)) refuse('a mapping');
      else
        for (const [key, item] of Object.entries(value))
          if (item !== undefined) checkValue(item, type.of, `${path}.${key}`, schemaName, problems);
      return;
    case 'ref':
      if (!isMapping(value)) refuse('a mapping');
      else checkObject(value, type.id, path, schemaName, problems);
      return;
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
