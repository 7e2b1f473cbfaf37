/**
 * What a change does to the output, object by object: two trees of dist/ (environment -> file
 * -> content) in, per environment the objects added, removed and changed, with the field paths
 * and old -> new values. Objects are matched by kind, namespace and name, never by file: a Job
 * whose name (and so file) changed is one Job removed and another added, which is what the
 * cluster will see.
 */
import { keyOf, objectId } from '../kube-object';
import type { Manifest } from '../policy/types';
import { isProductionOutput } from '../render';
import { readYamlDocuments } from '../yaml';

/** environment -> (path below dist/<env>/ -> content) */
export type OutputTree = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface FieldChange {
  /** e.g. `spec.template.spec.containers[api].image`; list items with a name are keyed by it */
  readonly path: string;
  /** undefined: the field is not there */
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface ObjectChange {
  readonly change: 'added' | 'removed' | 'changed';
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** where it is written, below dist/<env>/ (the new file; the old one when removed) */
  readonly file: string;
  readonly before?: Manifest;
  readonly after?: Manifest;
  /** for a changed object: what changed */
  readonly fields: readonly FieldChange[];
}

export interface EnvironmentChange {
  readonly environment: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** whether each side carries the production mark the synth writes (false for a side without the environment) */
  readonly production: { readonly before: boolean; readonly after: boolean };
  readonly objects: readonly ObjectChange[];
  /** every object of the head side, changed or not: what is still there to name a removed one */
  readonly objectsAfter: readonly Manifest[];
}

interface Located {
  readonly manifest: Manifest;
  readonly file: string;
}

/** every Kubernetes object of an environment's files, by kind/namespace/name */
export function objectsOf(files: ReadonlyMap<string, string>): Map<string, Located> {
  const objects = new Map<string, Located>();
  for (const [file, content] of files) {
    // kustomization.yaml is build input that lists files, README.md is prose: neither is an object
    if (!file.endsWith('.yaml') || file === 'kustomization.yaml' || file.endsWith('/kustomization.yaml')) continue;
    let docs: unknown[];
    try {
      docs = readYamlDocuments(content);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    for (const doc of docs) {
      const manifest = doc as Manifest | null;
      if (!manifest || typeof manifest !== 'object' || !manifest.kind) continue;
      objects.set(objectKey(manifest), { manifest, file });
    }
  }
  return objects;
}

export function objectKey(m: Manifest): string {
  return objectId(keyOf(m));
}

/**
 * The environments whose objects or production mark differ, sorted, each with its changes in
 * kind, then name order. The mark is on kustomization.yaml, which holds no object: dropping it
 * alone is a change.
 */
export function diffTrees(base: OutputTree, head: OutputTree): EnvironmentChange[] {
  const environments = [...new Set([...base.keys(), ...head.keys()])].sort();
  return environments.flatMap((environment): EnvironmentChange[] => {
    const [baseFiles, headFiles] = [base.get(environment), head.get(environment)];
    const after = objectsOf(headFiles ?? new Map());
    const objects = diffObjects(objectsOf(baseFiles ?? new Map()), after);
    const production = {
      before: baseFiles !== undefined && isProductionOutput(baseFiles),
      after: headFiles !== undefined && isProductionOutput(headFiles),
    };
    if (objects.length === 0 && production.before === production.after) return [];
    const change = !base.has(environment) ? 'added' : !head.has(environment) ? 'removed' : 'changed';
    return [{ environment, change, production, objects, objectsAfter: [...after.values()].map((l) => l.manifest) }];
  });
}

function diffObjects(before: ReadonlyMap<string, Located>, after: ReadonlyMap<string, Located>): ObjectChange[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys.flatMap((key): ObjectChange[] => {
    const a = before.get(key);
    const b = after.get(key);
    const m = (b ?? a)!.manifest;
    const id = { kind: String(m.kind), namespace: m.metadata?.namespace, name: String(m.metadata?.name ?? '') };
    if (!a) return [{ change: 'added', ...id, file: b!.file, after: b!.manifest, fields: [] }];
    if (!b) return [{ change: 'removed', ...id, file: a.file, before: a.manifest, fields: [] }];
    const fields = diffValues(a.manifest, b.manifest, '');
    return fields.length === 0
      ? []
      : [{ change: 'changed', ...id, file: b.file, before: a.manifest, after: b.manifest, fields }];
  });
}

/** field by field; a list whose items all have distinct names is compared by name */
export function diffValues(a: unknown, b: unknown, path: string): FieldChange[] {
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(a[k], b[k], join(path, k)));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const named = byName(a) && byName(b);
    if (named) {
      const left = new Map(a.map((x) => [x.name as string, x]));
      const right = new Map(b.map((x) => [x.name as string, x]));
      const names = [...new Set([...left.keys(), ...right.keys()])];
      return names.flatMap((n) => diffValues(left.get(n), right.get(n), `${path}[${n}]`));
    }
    if (a.length === b.length) return a.flatMap((x, i) => diffValues(x, b[i], `${path}[${i}]`));
    // items added or removed: each item of one side matched to an equal one of the other, so a
    // removed rule reads as that rule removed, not as the whole list replaced
    const unmatched = [...b.keys()];
    const removed = a.flatMap((x, i): FieldChange[] => {
      const j = unmatched.findIndex((k) => same(x, b[k]));
      if (j !== -1) {
        unmatched.splice(j, 1);
        return [];
      }
      return [{ path: `${path}[${i}]`, before: x }];
    });
    return [...removed, ...unmatched.map((j): FieldChange => ({ path: `${path}[${j}]`, after: b[j] }))];
  }
  return same(a, b) ? [] : [{ path, before: a, after: b }];
}

function join(path: string, key: string): string {
  // label and annotation keys hold dots and slashes: quote them so the path stays readable
  const part = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  return !path ? part : part.startsWith('[') ? `${path}${part}` : `${path}.${part}`;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function byName(list: readonly unknown[]): list is Array<{ name: string }> {
  const names = list.map((x) => (isMap(x) && typeof x.name === 'string' ? x.name : undefined));
  return list.length > 0 && names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isMap(a) && isMap(b)) return diffValues(a, b, '').length === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  return false;
}
