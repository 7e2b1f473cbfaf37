// The CRD half of the schema lib/schema.ts checks objects against: the GitOps delivery objects
// (Argo CD Application, Flux Kustomization) and the custom resources of the app (Gateway API
// HTTPRoute, Prometheus Operator ServiceMonitor, External Secrets ExternalSecret) in the compact
// format of imports/k8s-1.28-schema.json.
// scripts/import-schema.mjs writes it to imports/crd-schema.json (`npm run import`) and checks
// it (`--check`).
//
// Where each fact comes from:
// - fields, their types, which are required, enumerations: the TypeScript declarations of the
//   @kubernetes-models packages (generated from the CRDs' OpenAPI schemas): nested inline object
//   types, `?` for optional, Array<T>, `{ [key: string]: T }` for maps, unions of string
//   literals for enumerations (a union of number literals, such as a redirect's 301 | 302, is
//   an integer: the allowed values are left to the packages' validators, in the tests).
//   IObjectMeta is the 1.28 ObjectMeta. Anything else in a declaration is refused (by
//   ts-declarations.mjs, which reads them), so a package upgrade cannot make the check silently
//   weaker;
// - integers (a TypeScript number cannot say): asked of the packages' compiled validators, as
//   for the core kinds, by giving every number field 0.5 and 2^31 and reading which refused.
//
// A nested anonymous type becomes a definition named by its path from the kind
// (argoproj.io.v1alpha1.Application.spec.syncPolicy); list items and map values keep the
// field's name. `status` is left out: the core kinds' schema has none either (cdk8s's 1.28
// types leave it to the controllers), and nothing synthesized may set it.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { readInterface } from './ts-declarations.mjs';

const require = createRequire(import.meta.url);

/**
 * The kinds, where their declarations are, and the name errors give their schema. `servedAs`:
 * the apiVersion the schema is written for when the package has no model of it. External
 * Secrets Operator serves only external-secrets.io/v1 since v0.17, and the npm package has models
 * of v1beta1 alone; v1 is ExternalSecret v1beta1 promoted, with no conversion between them
 * (external-secrets#4633, #4901), so the v1beta1 declaration is read and written under v1.
 */
const CRDS = [
  { module: '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application', name: 'Argo CD Application' },
  { module: '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization', name: 'Flux Kustomization v1' },
  { module: '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute', name: 'Gateway API HTTPRoute v1' },
  {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    name: 'Prometheus Operator ServiceMonitor v1',
  },
  {
    module: '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret',
    name: 'External Secrets ExternalSecret v1',
    servedAs: 'external-secrets.io/v1',
  },
];

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const FIELD_NAME = /^[\w$-]+$/;
const OMITTED = new Set(['status']);

/**
 * The schema of one kind: its root definition's id, its definitions (id -> fields) and the
 * number fields, each with the JSON pointer where a probe value goes, for the validator to say
 * which are integers.
 */
function convert(root, rootId, kindOf) {
  const definitions = new Map();
  const numbers = [];
  const define = (node, id, pointer) => {
    if (definitions.has(id)) throw new Error(`${node.where}: a second definition ${id}`);
    const fields = [];
    definitions.set(id, fields);
    for (const f of node.fields) {
      if (!FIELD_NAME.test(f.name))
        throw new Error(`${f.where}: field name ${JSON.stringify(f.name)} cannot be written in the schema`);
      const field = { name: f.name, required: f.required, type: '' };
      field.type = typeOf(f.type, `${id}.${f.name}`, [...pointer, f.name], field);
      fields.push(field);
    }
  };
  const typeOf = (node, id, pointer, field) => {
    switch (node.t) {
      case 'string':
      case 'boolean':
        return node.t;
      case 'number':
        numbers.push({ field, pointer });
        return 'number';
      case 'literal':
        return `enum(${encodeURIComponent(node.value)})`;
      case 'union': {
        if (node.of.every((n) => n.t === 'literal'))
          return `enum(${node.of.map((n) => encodeURIComponent(n.value)).join('|')})`;
        // the compact schema's enumerations are of strings: an integer, its values checked by the validators
        if (node.of.every((n) => n.t === 'number-literal' && Number.isInteger(n.value))) return 'integer';
        const scalars = node.of
          .map((n) => n.t)
          .sort()
          .join('|');
        // x-kubernetes-int-or-string in the CRD
        if (scalars === 'number|string') return 'int-or-string';
        throw new Error(`${node.where}: union ${scalars} is not understood`);
      }
      case 'array':
        return `[]${typeOf(node.of, id, [...pointer, 0], field)}`;
      case 'map':
        return `{}${typeOf(node.of, id, [...pointer, 'k'], field)}`;
      case 'object':
        // `{}`: an object with x-kubernetes-preserve-unknown-fields (Helm values), any content
        if (node.fields.length === 0) return '{}any';
        define(node, id, pointer);
        return `#${id}`;
      case 'named':
        if (node.name === 'IObjectMeta') return `#${OBJECT_META}`;
        throw new Error(`${node.where}: type ${node.name} is not understood`);
      default:
        throw new Error(`${node.where}: type ${node.t} is not understood`);
    }
  };
  const own = root.fields.filter((f) => {
    if (f.name !== 'apiVersion' && f.name !== 'kind') return !OMITTED.has(f.name);
    // the walker checks apiVersion and kind by looking the kind up; the declaration must agree
    if (f.type.t !== 'literal' || f.type.value !== kindOf[f.name])
      throw new Error(`${f.where}: ${f.name} is not ${JSON.stringify(kindOf[f.name])}`);
    return false;
  });
  define({ ...root, fields: own }, rootId, []);
  return { rootId, definitions, numbers };
}

/**
 * The schema of the kind `apiVersion`/`kind` declared as interface I<kind> in `text`, before
 * the validator has said which numbers are integers. Throws on what it does not understand.
 */
export function declaredSchema(text, file, apiVersion, kind, servedAs = apiVersion) {
  const root = readInterface(text, `I${kind}`, file);
  return convert(root, `${servedAs.replace('/', '.')}.${kind}`, { apiVersion, kind });
}

/** retypes number fields to integer or int32 when the package's validator refuses 0.5 or 2^31 */
function refineNumbers(numbers, Model) {
  const refused = (value) => {
    const data = {};
    for (const { pointer } of numbers) {
      let at = data;
      pointer.forEach((key, i) => {
        if (i === pointer.length - 1) at[key] = value;
        else at = at[key] ??= typeof pointer[i + 1] === 'number' ? [] : {};
      });
    }
    const byPath = new Map();
    try {
      new Model(data).validate();
    } catch (e) {
      if (!Array.isArray(e.errors)) throw e;
      for (const err of e.errors) byPath.set(err.instancePath, [...(byPath.get(err.instancePath) ?? []), err]);
    }
    return (pointer, keyword, param) =>
      (byPath.get(`/${pointer.join('/')}`) ?? []).some(
        (err) => err.keyword === keyword && Object.values(err.params).includes(param),
      );
  };
  const halves = refused(0.5);
  const large = refused(2 ** 31);
  for (const { field, pointer } of numbers) {
    if (!halves(pointer, 'type', 'integer')) continue;
    field.type = field.type.replace(/number$/, large(pointer, 'format', 'int32') ? 'int32' : 'integer');
  }
}

/** the CRD schema: kinds, the name of each kind's schema, the packages read, definitions */
export function generateCrdSchema() {
  const kinds = {};
  const names = {};
  const packages = {};
  const definitions = {};
  for (const crd of CRDS) {
    // the package's exports map hides the .d.ts files from require.resolve; they sit beside the .js
    const file = require.resolve(crd.module).replace(/\.js$/, '.d.ts');
    const Model = Object.values(require(crd.module)).find((v) => typeof v === 'function' && v.apiVersion && v.kind);
    if (!Model) throw new Error(`${crd.module}: exports no model class`);
    const key = `${crd.servedAs ?? Model.apiVersion}/${Model.kind}`;
    const {
      rootId,
      definitions: defs,
      numbers,
    } = declaredSchema(fs.readFileSync(file, 'utf8'), crd.module, Model.apiVersion, Model.kind, crd.servedAs);
    refineNumbers(numbers, Model);
    kinds[key] = rootId;
    names[key] = crd.name;
    const pkg = crd.module.split('/').slice(0, 2).join('/');
    packages[pkg] = require(`${pkg}/package.json`).version;
    for (const [id, fields] of defs)
      definitions[id] = fields.map((f) => `${f.required ? '!' : ''}${f.name}:${f.type}`).join(' ');
  }
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ packages: sorted(packages), kinds: sorted(kinds), names: sorted(names), definitions: sorted(definitions) }, null, 1)}\n`;
}
