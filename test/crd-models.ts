/**
 * The CRD packages' own validators (compiled from the CRDs' OpenAPI schemas), for tests: they
 * check what the compact schema cannot express, such as Flux's duration patterns or the
 * hostname pattern of an HTTPRoute, while the compact schema alone refuses unknown fields. The
 * synth never loads them (they are build-time dependencies), so tests run both on every custom
 * resource and expect them to agree.
 */
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';

interface CrdModel {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: never): { validate(): void };
}

const MODELS: readonly CrdModel[] = [Application, Kustomization, HTTPRoute, ServiceMonitor, ExternalSecret];
/**
 * external-secrets.io/v1 objects are validated by the v1beta1 model: the package has no v1 model,
 * and v1 promoted ExternalSecret's v1beta1 schema unchanged (imports/README.md)
 */
const VALIDATED_AS: Readonly<Record<string, string>> = {
  'external-secrets.io/v1/ExternalSecret': 'external-secrets.io/v1beta1',
};

/** the model validator's messages for `obj` ("/spec/prune: must be boolean"), none when valid */
export function validateWithCrdModels(obj: { readonly apiVersion?: unknown; readonly kind?: unknown }): string[] {
  const apiVersion = VALIDATED_AS[`${String(obj.apiVersion)}/${String(obj.kind)}`] ?? obj.apiVersion;
  const Model = MODELS.find((m) => m.apiVersion === apiVersion && m.kind === obj.kind);
  if (!Model)
    return [
      `apiVersion ${String(obj.apiVersion)} kind ${String(obj.kind)} has no CRD model; known: ${MODELS.map((m) => `${m.apiVersion}/${m.kind}`).join(', ')}`,
    ];
  try {
    new Model({ ...obj, apiVersion } as never).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
    if (!Array.isArray(errors)) throw e;
    return errors.map((err) => `${err.instancePath || '(root)'}: ${err.message ?? 'invalid'}`);
  }
}
