/**
 * A Kubernetes object as the synth writes it, and its identity: what the API server keys an object
 * by. The version is not part of it (apps/v1 and apps/v1beta1 Deployments of one name are one
 * object); the group is (a `Kustomization` of kustomize.config.k8s.io is not Flux's), and so is the
 * namespace, except for cluster-scoped kinds.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */

/** a synthesized Kubernetes object */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** what an object is known by: its group, kind, namespace and name */
export interface ObjectKey {
  /**
   * "" for the core group (v1); undefined in a reference that names a kind only (a pod's
   * ConfigMap, a PDB's workload), which then matches that kind in any group
   */
  readonly group?: string;
  readonly kind: string;
  readonly name: string;
  /** undefined for cluster-scoped kinds */
  readonly namespace?: string;
}

export const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ClusterSecretStore',
]);

/** the API group of an apiVersion: "apps" of "apps/v1", "" of "v1" */
export function groupOf(apiVersion: string | undefined): string {
  const slash = (apiVersion ?? '').indexOf('/');
  return slash === -1 ? '' : apiVersion!.slice(0, slash);
}

/** the key of any object, even a malformed one: a missing kind or name reads "?" */
export function keyOf(m: {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}): ObjectKey {
  const kind = m.kind ?? '?';
  return {
    group: groupOf(m.apiVersion),
    kind,
    name: m.metadata?.name ?? '?',
    namespace: CLUSTER_SCOPED.has(kind) ? undefined : m.metadata?.namespace,
  };
}

export function sameObject(a: ObjectKey, b: ObjectKey): boolean {
  const groups = a.group === undefined || b.group === undefined || a.group === b.group;
  return groups && a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

/**
 * one string per object, for maps, as kubectl names a kind in a group: `Kind.group/namespace/name`
 * (`Deployment.apps/shop/api`, `Namespace//shop`); sorted, they come in kind order
 */
export function objectId(k: ObjectKey): string {
  return `${k.kind}${k.group ? `.${k.group}` : ''}/${k.namespace ?? ''}/${k.name}`;
}

/** how messages name an object: `Kind/name (namespace ns)` */
export function showKey(k: ObjectKey): string {
  return `${k.kind}/${k.name}${k.namespace ? ` (namespace ${k.namespace})` : ''}`;
}
