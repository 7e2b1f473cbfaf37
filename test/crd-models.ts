/**
 * The Argo CD and Flux packages' own validators (compiled from the CRDs' OpenAPI schemas), for
 * tests: they check what the compact schema cannot express, such as Flux's duration patterns,
 * while the compact schema alone refuses unknown fields. The synth never loads them (they are
 * build-time dependencies), so tests run both on delivery objects and expect them to agree.
 */
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';

interface CrdModel {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: never): { validate(): void };
}

const MODELS: readonly CrdModel[] = [Application, Kustomization];

/** the model validator's messages for `obj` ("/spec/prune: must be boolean"), none when valid */
export function validateWithCrdModels(obj: { readonly apiVersion?: unknown; readonly kind?: unknown }): string[] {
  const Model = MODELS.find((m) => m.apiVersion === obj.apiVersion && m.kind === obj.kind);
  if (!Model) return [`apiVersion ${String(obj.apiVersion)} kind ${String(obj.kind)} has no Argo CD or Flux model; known: ${MODELS.map((m) => `${m.apiVersion}/${m.kind}`).join(', ')}`];
  try {
    new Model(obj as never).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
    if (!Array.isArray(errors)) throw e;
    return errors.map((err) => `${err.instancePath || '(root)'}: ${err.message ?? 'invalid'}`);
  }
}
