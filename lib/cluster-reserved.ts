/**
 * What the cluster owns and an environment must not take over: its namespaces, the IDs the API
 * server accepts, its priority classes. The config rules refuse these early; the policy refuses
 * them in the rendered objects.
 */

/**
 * Namespaces of the cluster and of the GitOps engines. The output puts a default-deny
 * NetworkPolicy and Pod Security `restricted` on its namespace, and keeps it from pruning: in
 * kube-system that stops cluster DNS, in argocd or flux-system the engine that applies it.
 */
export const CLUSTER_NAMESPACES: readonly string[] = ['default', 'argocd', 'flux-system'];
/** the prefix Kubernetes keeps for its own namespaces (kube-system, kube-public, kube-node-lease) */
const KUBE_PREFIX = 'kube-';

/** why an environment may not own this namespace, if it may not; `engines` adds the configured engine namespaces */
export function reservedNamespace(name: string, engines: readonly string[] = []): string | undefined {
  if (name.startsWith(KUBE_PREFIX)) return `"${KUBE_PREFIX}*" namespaces belong to Kubernetes`;
  if (CLUSTER_NAMESPACES.includes(name) || engines.includes(name)) {
    return name === 'default'
      ? 'the default namespace holds what nobody placed elsewhere'
      : 'a GitOps engine runs there';
  }
  return undefined;
}

/** the largest UID or GID the API server accepts (an int32; 0 is root, refused on its own) */
export const MAX_ID = 2 ** 31 - 1;

/** the API server keeps PriorityClass names with this prefix for its own classes */
const SYSTEM_PRIORITY_PREFIX = 'system-';

/** why a pod may not use this priority class, if it may not */
export function reservedPriorityClass(name: string): string | undefined {
  return name.startsWith(SYSTEM_PRIORITY_PREFIX)
    ? `"${SYSTEM_PRIORITY_PREFIX}*" classes are the cluster's own (system-node-critical, system-cluster-critical): an app with one preempts the cluster's components`
    : undefined;
}
