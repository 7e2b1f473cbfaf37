/**
 * Schema validation of synthesized objects against the Kubernetes API:
 * - types, formats and required fields with kubernetes-models (its compiled OpenAPI schemas);
 * - unknown fields against the Kubernetes 1.28 types generated into cdk8s-plus-28: an object
 *   is mapped through the generated serializer of its kind, which keeps only the fields that
 *   kind has in 1.28, and whatever the mapping drops is reported.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { objectRef, type Manifest, type Violation } from './policy/types';

interface Validatable { validate(): void }
type ModelClass = new (data: any) => Validatable;

const MODELS: Record<string, ModelClass> = Object.fromEntries([
  ['v1', 'Namespace', Namespace], ['v1', 'ServiceAccount', ServiceAccount], ['v1', 'ConfigMap', ConfigMap],
  ['v1', 'Secret', Secret], ['v1', 'Service', Service], ['v1', 'Pod', Pod],
  ['apps/v1', 'Deployment', Deployment], ['apps/v1', 'StatefulSet', StatefulSet],
  ['batch/v1', 'Job', Job], ['batch/v1', 'CronJob', CronJob],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', HorizontalPodAutoscaler], ['policy/v1', 'PodDisruptionBudget', PodDisruptionBudget],
  ['networking.k8s.io/v1', 'Ingress', Ingress], ['networking.k8s.io/v1', 'NetworkPolicy', NetworkPolicy],
].map(([apiVersion, kind, model]) => [`${apiVersion}/${kind}`, model as ModelClass]));

interface GeneratedKind { GVK: { apiVersion: string; kind: string }; manifest(props: unknown): any }

/** every kind of the Kubernetes 1.28 API, with its generated serializer */
const KINDS: ReadonlyMap<string, GeneratedKind> = new Map(
  (Object.values(k8s) as unknown[])
    .filter((c): c is GeneratedKind => typeof c === 'function' && (c as any).GVK !== undefined && typeof (c as any).manifest === 'function')
    .map((c) => [`${c.GVK.apiVersion}/${c.GVK.kind}`, c]),
);

const RULE = 'schema';
const LEAF = Symbol('leaf');

export function validateSchema(manifest: Manifest): Violation[] {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const object = objectRef(manifest);
  const generated = KINDS.get(key);
  if (!generated) return [{ rule: RULE, object, message: `apiVersion ${manifest.apiVersion} kind ${manifest.kind} is not part of the Kubernetes 1.28 API` }];

  const out: Violation[] = unknownFields(manifest, generated).map((path) => ({ rule: RULE, object, message: `unknown field ${path} (not in the Kubernetes 1.28 ${manifest.kind} schema)` }));
  const Model = MODELS[key];
  if (Model) {
    try {
      // the model's validate() on the manifest itself: constructing a model would deep-copy it
      Model.prototype.validate.call(manifest);
    } catch (e) {
      const errors: any[] = (e as any).errors ?? [];
      if (errors.length === 0) throw e;
      for (const err of errors) {
        const path = String(err.instancePath ?? '').split('/').filter(Boolean).join('.') || '(root)';
        const detail = err.keyword === 'required' ? `missing required field ${err.params?.missingProperty}` : err.message;
        out.push({ rule: RULE, object, message: `${path}: ${detail} (got ${JSON.stringify(valueAt(manifest, err.instancePath))})` });
      }
    }
  }
  return out;
}

/** paths present in the object that the 1.28 serializer of its kind does not know */
function unknownFields(manifest: Manifest, generated: GeneratedKind): string[] {
  const { apiVersion: _a, kind: _k, ...props } = manifest;
  let mapped: any;
  try {
    // every primitive wrapped: typed fields (Quantity, IntOrString) unwrap `.value`, plain
    // fields copy it as is; either way a known field survives and an unknown one is dropped
    mapped = generated.manifest(wrap(props));
  } catch (e) {
    return [`(root): could not be read as a ${manifest.kind}: ${(e as Error).message}`];
  }
  const found: string[] = [];
  diff(props, mapped, '', found);
  return found;
}

function wrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(wrap);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(v)]));
  return { value, [LEAF]: true };
}

function diff(original: unknown, mapped: any, path: string, found: string[]): void {
  if (original === null || typeof original !== 'object') return;
  if (mapped === null || typeof mapped !== 'object' || mapped[LEAF]) return;
  if (Array.isArray(original)) {
    original.forEach((item, i) => diff(item, Array.isArray(mapped) ? mapped[i] : undefined, `${path}[${i}]`, found));
    return;
  }
  for (const [key, value] of Object.entries(original)) {
    const at = path ? `${path}.${key}` : key;
    if (value === undefined) continue;
    if (!(key in mapped)) found.push(at);
    else diff(value, mapped[key], at, found);
  }
}

function valueAt(obj: unknown, pointer: string | undefined): unknown {
  let cur: any = obj;
  for (const part of String(pointer ?? '').split('/').filter(Boolean)) cur = cur?.[part];
  return cur;
}
