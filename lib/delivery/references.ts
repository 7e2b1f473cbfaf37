/**
 * What an object needs to exist in the cluster before it can work: the objects it names.
 * A pod whose ConfigMap or Secret is missing waits in CreateContainerConfigError; one whose
 * ServiceAccount or volume claim is missing is never created or never starts; an Ingress, HPA or
 * PDB without its target does nothing.
 */
import { labelSelectorMatches } from '../label-selector';
import { podTemplates } from '../policy/pods';
import { CLUSTER_SCOPED, keyOf, type ObjectKey } from '../kube-object';
import type { Manifest } from '../policy/types';

export { CLUSTER_SCOPED, keyOf, sameObject, showKey, type ObjectKey } from '../kube-object';

export interface Reference extends ObjectKey {
  /** the field that names it, e.g. `spec.template.spec.containers[api].envFrom[0].configMapRef` */
  readonly field: string;
}

/** the objects `m` names, among `all` for selector-based targets */
export function referencesOf(m: Manifest, all: readonly Manifest[]): Reference[] {
  const ns = m.metadata?.namespace;
  const refs: Reference[] = [];
  const add = (kind: string, name: unknown, field: string) => {
    if (typeof name === 'string' && name) refs.push({ kind, name, namespace: ns, field });
  };
  if (ns && !CLUSTER_SCOPED.has(m.kind ?? '')) refs.push({ kind: 'Namespace', name: ns, field: 'metadata.namespace' });

  for (const pod of podTemplates([m])) {
    const at =
      m.kind === 'Pod' ? 'spec' : m.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec';
    const spec = pod.spec;
    // under a policy that isolates it for egress, a pod reaches DNS and its database only once
    // the policies that allow that traffic exist: a migration that starts before them waits
    // for a database it cannot reach until its deadline
    for (const np of all) {
      const coversPod = labelSelectorMatches(np.spec?.podSelector ?? {}, pod.metadata.labels);
      const allowsEgress = (np.spec?.policyTypes ?? []).includes('Egress') && (np.spec?.egress ?? []).length > 0;
      if (np.kind === 'NetworkPolicy' && np.metadata?.namespace === ns && coversPod && allowsEgress) {
        add('NetworkPolicy', np.metadata?.name, `${at.replace(/\.spec$/, '')}.metadata.labels (egress)`);
      }
    }
    // a pod without serviceAccountName runs as "default", which every namespace has
    add('ServiceAccount', spec.serviceAccountName, `${at}.serviceAccountName`);
    (spec.imagePullSecrets ?? []).forEach((s: any, i: number) => add('Secret', s.name, `${at}.imagePullSecrets[${i}]`));
    (spec.volumes ?? []).forEach((v: any) => {
      const field = `${at}.volumes[${v.name}]`;
      if (v.configMap && !v.configMap.optional) add('ConfigMap', v.configMap.name, `${field}.configMap`);
      if (v.secret && !v.secret.optional) add('Secret', v.secret.secretName, `${field}.secret`);
      if (v.persistentVolumeClaim)
        add('PersistentVolumeClaim', v.persistentVolumeClaim.claimName, `${field}.persistentVolumeClaim`);
      (v.projected?.sources ?? []).forEach((s: any, i: number) => {
        if (s.configMap && !s.configMap.optional)
          add('ConfigMap', s.configMap.name, `${field}.projected.sources[${i}]`);
        if (s.secret && !s.secret.optional) add('Secret', s.secret.name, `${field}.projected.sources[${i}]`);
      });
    });
    for (const list of ['initContainers', 'containers']) {
      for (const c of spec[list] ?? []) {
        const field = `${at}.${list}[${c.name}]`;
        (c.env ?? []).forEach((e: any) => {
          const cm = e.valueFrom?.configMapKeyRef;
          const sk = e.valueFrom?.secretKeyRef;
          if (cm && !cm.optional) add('ConfigMap', cm.name, `${field}.env[${e.name}]`);
          if (sk && !sk.optional) add('Secret', sk.name, `${field}.env[${e.name}]`);
        });
        (c.envFrom ?? []).forEach((e: any, i: number) => {
          if (e.configMapRef && !e.configMapRef.optional)
            add('ConfigMap', e.configMapRef.name, `${field}.envFrom[${i}]`);
          if (e.secretRef && !e.secretRef.optional) add('Secret', e.secretRef.name, `${field}.envFrom[${i}]`);
        });
      }
    }
  }

  if (m.kind === 'Ingress') {
    add('Service', m.spec?.defaultBackend?.service?.name, 'spec.defaultBackend');
    (m.spec?.rules ?? []).forEach((r: any, i: number) =>
      (r.http?.paths ?? []).forEach((p: any, j: number) =>
        add('Service', p.backend?.service?.name, `spec.rules[${i}].http.paths[${j}].backend`),
      ),
    );
    (m.spec?.tls ?? []).forEach((t: any, i: number) => add('Secret', t.secretName, `spec.tls[${i}].secretName`));
  }
  if (m.kind === 'HTTPRoute') {
    (m.spec?.rules ?? []).forEach((r: any, i: number) =>
      (r.backendRefs ?? []).forEach((b: any, j: number) => {
        if ((b.kind ?? 'Service') === 'Service' && (b.namespace ?? ns) === ns)
          add('Service', b.name, `spec.rules[${i}].backendRefs[${j}]`);
      }),
    );
  }
  if (m.kind === 'ExternalSecret') {
    // the operator reads the store named here; a ClusterSecretStore is cluster-scoped
    const store = m.spec?.secretStoreRef;
    if (store?.kind === 'ClusterSecretStore') {
      if (typeof store.name === 'string' && store.name)
        refs.push({ kind: 'ClusterSecretStore', name: store.name, field: 'spec.secretStoreRef' });
    } else {
      add('SecretStore', store?.name, 'spec.secretStoreRef');
    }
  }
  if (m.kind === 'HorizontalPodAutoscaler')
    add(m.spec?.scaleTargetRef?.kind ?? '?', m.spec?.scaleTargetRef?.name, 'spec.scaleTargetRef');
  if (m.kind === 'PodDisruptionBudget') {
    // a PDB names no object; it needs the workload whose pods it selects
    const target = all.find(
      (o) =>
        o.metadata?.namespace === ns &&
        podTemplates([o]).some((p) => labelSelectorMatches(m.spec?.selector, p.metadata.labels)),
    );
    refs.push(
      target
        ? { ...keyOf(target), field: 'spec.selector' }
        : {
            kind: 'a workload',
            name: JSON.stringify(m.spec?.selector?.matchLabels ?? {}),
            namespace: ns,
            field: 'spec.selector',
          },
    );
  }
  return refs;
}

/**
 * Objects an object makes the cluster create: an ExternalSecret's target Secret, which External
 * Secrets Operator writes once it has read the store (the ExternalSecret is Ready then). Such an
 * object counts as applied in the step of the object that provides it.
 */
export function providedBy(m: Manifest): ObjectKey[] {
  if (m.kind !== 'ExternalSecret') return [];
  const name = m.spec?.target?.name ?? m.metadata?.name;
  // creationPolicy None writes nothing; Merge writes into a Secret that must already exist
  const policy = m.spec?.target?.creationPolicy ?? 'Owner';
  return typeof name === 'string' && (policy === 'Owner' || policy === 'Orphan')
    ? [{ kind: 'Secret', name, namespace: m.metadata?.namespace }]
    : [];
}
