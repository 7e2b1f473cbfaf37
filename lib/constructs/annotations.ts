/**
 * The annotations Argo CD and Flux read on the objects they apply.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#controlling-the-apply-behavior-of-resources
 */
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ARGOCD_HOOK = 'argocd.argoproj.io/hook';
export const ARGOCD_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
export const ARGOCD_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';
export const FLUX_FORCE = 'kustomize.toolkit.fluxcd.io/force';
/** a hash of a web app's settings on its pods: a change of the settings rolls them */
export const CONFIG_CHECKSUM = 'checksum/config';
/**
 * Stakater Reloader rolls a workload's pods when one of the Secrets this lists (comma-separated)
 * changes: pods read env vars from a Secret only when they start.
 * @see https://docs.stakater.com/reloader/latest/reference/annotations.html
 */
export const RELOADER_SECRET_RELOAD = 'secret.reloader.stakater.com/reload';
/**
 * What Stakater Reloader's annotations strategy writes on the pod template to roll the pods (its
 * default, env-vars, writes a variable instead, which Argo CD's self-heal would revert)
 */
export const RELOADER_LAST_RELOADED = 'reloader.stakater.com/last-reloaded-from';
/**
 * The class an Ingress had before spec.ingressClassName, which controllers still obey
 * (Traefik, ingress-nginx, others)
 * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation
 */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** the class a controller reads from an Ingress: spec.ingressClassName, else the deprecated annotation */
export function ingressClassOf(
  className: string | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
): string | undefined {
  return className ?? annotations?.[INGRESS_CLASS_ANNOTATION];
}
