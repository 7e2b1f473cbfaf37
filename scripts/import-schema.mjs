// Generates imports/k8s-1.28-schema.json, the schema lib/schema.ts checks every synthesized
// object against, and imports/crd-schema.json, its CRD part (scripts/import-crd-schema.mjs):
// `npm run import` (writes them), `node scripts/import-schema.mjs --check` (exit 1 when a
// committed file is not what the generators make).
//
// Where each fact comes from:
// - kinds, fields, their types and which are required: the Kubernetes 1.28 types that
//   cdk8s-plus-28 ships (lib/imports/k8s.d.ts, generated from the 1.28 OpenAPI document). Every
//   interface and field there carries its OpenAPI name in a `@schema` tag; the kinds'
//   apiVersion and kind come from the GVK of each generated class;
// - what a TypeScript type cannot say (allowed values of enumerations, integer and int32
//   numbers, string formats such as date-time and byte): asked of the compiled OpenAPI
//   validators of kubernetes-models, by giving each field a value that only an enumeration, an
//   integer or a format would refuse, and reading which rule refused it.
//
// The output is one line per definition: `field:type` pairs, `!` before a required field.
// Types: string, boolean, integer, int32, number, any, date-time, byte, int-or-string,
// quantity, enum(A|B|...) (values URI-encoded), #<definition>, [] (list of) and {} (map of) in
// front of a type.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateCrdSchema } from './import-crd-schema.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'imports', 'k8s-1.28-schema.json');
const CRD_OUT = path.join(ROOT, 'imports', 'crd-schema.json');
const require = createRequire(import.meta.url);
const K8S_DTS = require.resolve('cdk8s-plus-28/lib/imports/k8s.d.ts');
const MODEL_SCHEMAS = [
  path.join(path.dirname(require.resolve('kubernetes-models/package.json')), '_schemas'),
  path.join(path.dirname(require.resolve('@kubernetes-models/apimachinery/package.json')), '_schemas'),
];

/** interfaces of k8s.d.ts: TypeScript name -> { id, fields: [{ name, json, type, required }] } */
function readInterfaces(text) {
  const interfaces = new Map();
  const enums = new Set([...text.matchAll(/^export declare enum (\w+)/gm)].map((m) => m[1]));
  const lines = text.split('\n');
  let schemaTag;
  let current;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const tag = line.match(/^\s*\* @schema (\S+)$/);
    if (tag) {
      schemaTag = tag[1];
      continue;
    }
    const start = line.match(/^export interface (\w+) \{$/);
    if (start) {
      current = schemaTag ? { id: schemaTag, fields: [] } : undefined;
      if (current) interfaces.set(start[1], current);
      schemaTag = undefined;
      continue;
    }
    if (line === '}') {
      current = undefined;
      continue;
    }
    const field = line.match(/^ {4}readonly (\w+)(\??): (.*)$/);
    if (field && current) {
      let type = field[3];
      const open = (t) => (t.match(/\{/g) ?? []).length - (t.match(/\}/g) ?? []).length;
      while (!type.endsWith(';') || open(type) > 0) type += ` ${lines[++i].trim()}`;
      const json = schemaTag?.startsWith(`${current.id}#`) ? schemaTag.slice(current.id.length + 1) : undefined;
      if (!json) throw new Error(`${K8S_DTS}:${i + 1}: field ${field[1]} of ${current.id} has no @schema tag`);
      current.fields.push({ json, ts: type.slice(0, -1).trim(), required: field[2] === '' });
      schemaTag = undefined;
    }
  }
  return { interfaces, enums };
}

/** a TypeScript field type as a schema type */
function typeOf(ts, interfaces, enums, where) {
  if (ts.endsWith('[]')) return `[]${typeOf(ts.slice(0, -2), interfaces, enums, where)}`;
  const map = ts.match(/^\{ \[key: string\]: (.*); \}$/);
  if (map) return `{}${typeOf(map[1], interfaces, enums, where)}`;
  switch (ts) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'any':
      return 'any';
    case 'Date':
      return 'date-time';
    case 'IntOrString':
      return 'int-or-string';
    case 'Quantity':
      return 'quantity';
    default:
      if (enums.has(ts)) return 'string';
      if (interfaces.has(ts)) return `#${interfaces.get(ts).id}`;
      throw new Error(`${where}: type ${ts} is not understood`);
  }
}

/** the compiled kubernetes-models validator of a definition, if it has one */
async function modelValidator(id) {
  const file = id
    .split('.')
    .map((s) => s[0].toUpperCase() + s.slice(1))
    .join('');
  for (const dir of MODEL_SCHEMAS) {
    const f = path.join(dir, `${file}.mjs`);
    if (fs.existsSync(f)) return (await import(pathToFileURL(f).href)).validate;
  }
  return undefined;
}

/**
 * Refine string and number types with what the kubernetes-models validator of the definition
 * refuses: a control character as a string (enumerations and formats refuse it), 0.5 and 2^31
 * as numbers (integers refuse the first, int32 the second). Lists and maps get one such item.
 */
function refine(fields, validate) {
  if (!validate) return;
  const probe = (kind, value) => {
    const data = {};
    const at = new Map();
    for (const f of fields) {
      const base = f.type.replace(/^(\[\]|\{\})/, '');
      if (base !== kind) continue;
      if (f.type.startsWith('[]')) {
        data[f.json] = [value];
        at.set(`/${f.json}/0`, f);
      } else if (f.type.startsWith('{}')) {
        data[f.json] = { k: value };
        at.set(`/${f.json}/k`, f);
      } else {
        data[f.json] = value;
        at.set(`/${f.json}`, f);
      }
    }
    validate(data);
    const refused = new Map();
    for (const e of validate.errors ?? []) if (at.has(e.instancePath)) refused.set(at.get(e.instancePath), e);
    return { at, refused };
  };
  const retype = (f, base) => {
    f.type = f.type.replace(/[^\]}]+$/, base);
  };

  const strings = probe('string', '\u0001');
  for (const [f, e] of strings.refused) {
    if (e.keyword === 'enum') {
      const odd = e.params.allowedValues.find((v) => typeof v !== 'string');
      if (odd !== undefined) throw new Error(`${f.json}: enumeration value ${JSON.stringify(odd)} is not a string`);
      // URI-encoded: some values have spaces ("digital signature"), which separate fields here
      retype(f, `enum(${e.params.allowedValues.map(encodeURIComponent).join('|')})`);
    } else if (e.keyword === 'format') retype(f, e.params.format);
  }
  const halves = probe('number', 0.5);
  const large = probe('number', 2 ** 31);
  for (const f of halves.refused.keys()) retype(f, large.refused.get(f)?.keyword === 'format' ? 'int32' : 'integer');
}

export async function generate() {
  const { interfaces, enums } = readInterfaces(fs.readFileSync(K8S_DTS, 'utf8'));
  const k8s = require('cdk8s-plus-28/lib/imports/k8s');
  const kinds = {};
  for (const [name, cls] of Object.entries(k8s)) {
    if (typeof cls !== 'function' || !cls.GVK) continue;
    const props = interfaces.get(`${name}Props`);
    if (!props) throw new Error(`${name}: no ${name}Props interface in ${K8S_DTS}`);
    kinds[`${cls.GVK.apiVersion}/${cls.GVK.kind}`] = props.id;
  }
  const definitions = {};
  for (const [name, { id, fields }] of [...interfaces].sort(([, a], [, b]) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  )) {
    if (definitions[id] !== undefined) throw new Error(`${name}: a second interface for ${id}`);
    const typed = fields.map((f) => ({ ...f, type: typeOf(f.ts, interfaces, enums, `${id}#${f.json}`) }));
    refine(typed, await modelValidator(id));
    definitions[id] = typed.map((f) => `${f.required ? '!' : ''}${f.json}:${f.type}`).join(' ');
  }
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ kubernetes: '1.28', kinds: sorted(kinds), definitions: sorted(definitions) }, null, 1)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outputs = [
    [OUT, await generate()],
    [CRD_OUT, generateCrdSchema()],
  ];
  if (process.argv.includes('--check')) {
    const stale = outputs.filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text);
    for (const [file] of stale)
      console.error(`${path.relative(ROOT, file)} is not what scripts/import-schema.mjs generates: run npm run import`);
    if (stale.length > 0) process.exit(1);
  } else {
    for (const [file, text] of outputs) {
      fs.writeFileSync(file, text);
      console.log(`${path.relative(ROOT, file)}: ${Object.keys(JSON.parse(text).definitions).length} definitions`);
    }
  }
}
