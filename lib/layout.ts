/**
 * The layout of dist/<env>/: one YAML file per object, named `<kind>-<name>.yaml`, in one folder
 * per delivery stage (`migration/`, `app/`), each with a kustomization.yaml; the engines' own
 * objects under `delivery/`, which no kustomization lists.
 */
import { stageOf } from './delivery/stages';
import type { KubeObject } from './kube-object';

export const KUSTOMIZATION_FILE = 'kustomization.yaml';
/**
 * On dist/<env>/kustomization.yaml of a production environment (kustomize applies it to nothing):
 * a later run that finds the environment's config gone knows to refuse removing it.
 */
export const PRODUCTION_MARK = 'reviewpoint-k8s/production';
export const DELIVERY_FOLDERS = { argocd: 'delivery/argocd', flux: 'delivery/flux' } as const;

export function fileName(obj: KubeObject): string {
  return `${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`;
}

/** where an object is written, below dist/<env>/: its stage's folder, or the engine's under delivery/ */
export function filePath(obj: KubeObject): string {
  const folder = obj.apiVersion.startsWith('argoproj.io/')
    ? DELIVERY_FOLDERS.argocd
    : obj.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')
      ? DELIVERY_FOLDERS.flux
      : stageOf(obj.metadata);
  return `${folder}/${fileName(obj)}`;
}
