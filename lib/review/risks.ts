/**
 * The changes a reviewer must not miss, read from an environment's object changes: the
 * production mark dropped, a change of the backend's auth, test or debug settings (any
 * spelling), a migration that will run, a change the API server refuses (an immutable field)
 * or that moves traffic (a selector), a weaker security context, a change of availability
 * (replicas, PDB, HPA; replicas removed: the drop to one pod), a NetworkPolicy that lets more
 * through, a change of public exposure (Ingress, HTTPRoute) or of where the Secret's values come
 * from (ExternalSecret; a removed owner: the Secret the garbage collector deletes), a Secret with
 * its data in the output, an image without a digest, and a CronJob that runs at other times.
 */
import { isGuardedSetting, settingName } from '../backend-settings';
import { referencesOf } from '../delivery/references';
import type { Manifest } from '../policy/types';
import type { EnvironmentChange, FieldChange, ObjectChange } from './diff';

export type RiskKind =
  | 'production'
  | 'settings'
  | 'migration'
  | 'immutable'
  | 'selector'
  | 'security'
  | 'availability'
  | 'network'
  | 'exposure'
  | 'secrets'
  | 'secret-data'
  | 'digest'
  | 'schedule';

export interface Risk {
  readonly kind: RiskKind;
  /** `Kind/name` */
  readonly object: string;
  readonly message: string;
}

/** a short heading per kind, in the order a reviewer should read them */
export const RISK_TITLES: Record<RiskKind, string> = {
  production: 'the production mark is dropped',
  settings: 'auth, test or debug settings change',
  migration: 'a migration will run',
  immutable: 'an immutable field changes',
  selector: 'a selector changes',
  security: 'a security context weakens',
  availability: 'replicas, PDB or HPA change',
  network: 'a NetworkPolicy opens a path',
  exposure: 'public exposure changes',
  secrets: "the Secret's source changes",
  'secret-data': 'a Secret with data is in the output',
  digest: 'an image without a digest',
  schedule: 'a CronJob runs at other times',
};

/** the fields of a CronJob that say when and how often its runs start */
const SCHEDULE_FIELDS = ['spec.schedule', 'spec.timeZone', 'spec.concurrencyPolicy', 'spec.suspend'];

const WORKLOADS_WITH_IMMUTABLE_SELECTOR = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** safe value of each security field; a change away from it weakens the pod */
const HARDENED: Record<string, (v: unknown) => boolean> = {
  runAsNonRoot: (v) => v === true,
  readOnlyRootFilesystem: (v) => v === true,
  allowPrivilegeEscalation: (v) => v === false,
  privileged: (v) => v === undefined || v === false,
  hostNetwork: (v) => v === undefined || v === false,
  hostPID: (v) => v === undefined || v === false,
  hostIPC: (v) => v === undefined || v === false,
  automountServiceAccountToken: (v) => v === false,
  runAsUser: (v) => v !== 0,
  type: (v) => v === 'RuntimeDefault' || v === 'Localhost',
  ['"pod-security.kubernetes.io/enforce"']: (v) => v === 'restricted',
};

/** the risks of one environment's change: its production mark, then its objects' */
export function environmentRisks(e: EnvironmentChange): Risk[] {
  const mark: Risk[] =
    e.production.before && !e.production.after && e.change !== 'removed'
      ? [
          {
            kind: 'production',
            object: `Kustomization/${e.environment}`,
            message: `kustomization.yaml no longer marks "${e.environment}" as production (production: true -> false): the production rules stop applying to it, and its output can go without --remove`,
          },
        ]
      : [];
  return [...mark, ...risksOf(e.objects, e.objectsAfter)];
}

/** the risks of some object changes; `after`: every object of the head side, changed or not */
export function risksOf(
  changes: readonly ObjectChange[],
  after: readonly Manifest[] = changes.flatMap((o) => (o.after ? [o.after] : [])),
): Risk[] {
  const risks: Risk[] = [];
  const add = (kind: RiskKind, o: ObjectChange, message: string) =>
    risks.push({ kind, object: `${o.kind}/${o.name}`, message });

  for (const o of changes) {
    const fields = o.fields;
    const under = (prefix: string) =>
      fields.filter((f) => f.path === prefix || f.path.startsWith(`${prefix}.`) || f.path.startsWith(`${prefix}[`));

    // a migration: a new Job runs under every engine; an init container runs in every new pod
    if (o.kind === 'Job' && o.change === 'added') {
      add(
        'migration',
        o,
        `Job ${o.name} is new: it will run (${images(o.after).join(', ') || 'no image'}), before the app under Argo CD and Flux`,
      );
    }
    for (const f of fields.filter((x) => /\.initContainers\[[^\]]+\]\.image$/.test(x.path))) {
      add('migration', o, `init container image ${show(f.before)} -> ${show(f.after)}: it runs in every new pod`);
    }

    if (o.change === 'changed') {
      if (WORKLOADS_WITH_IMMUTABLE_SELECTOR.has(o.kind)) {
        for (const f of under('spec.selector'))
          add(
            'immutable',
            o,
            `${f.path}: ${show(f.before)} -> ${show(f.after)}: immutable, the apply fails until the object is replaced`,
          );
      }
      if (o.kind === 'Job' && under('spec.template').length > 0) {
        add(
          'immutable',
          o,
          "spec.template changes under the same name: a Job's pod template is immutable, the apply fails",
        );
      }
      if (o.kind === 'Service') {
        for (const f of under('spec.clusterIP'))
          add('immutable', o, `${f.path}: ${show(f.before)} -> ${show(f.after)}: immutable`);
        for (const f of under('spec.selector'))
          add(
            'selector',
            o,
            `${f.path}: ${show(f.before)} -> ${show(f.after)}: the Service sends traffic to other pods`,
          );
      }
      if (o.kind === 'PodDisruptionBudget' || o.kind === 'NetworkPolicy') {
        for (const f of [...under('spec.selector'), ...under('spec.podSelector')])
          add('selector', o, `${f.path}: ${show(f.before)} -> ${show(f.after)}: it applies to other pods`);
      }
      for (const f of fields) {
        const last = lastKey(f.path);
        const hardened = last === undefined ? undefined : HARDENED[last];
        const security = /securityContext/.test(f.path) || (last !== undefined && POD_FIELDS.has(last));
        if (!security) continue;
        if (hardened ? hardened(f.before) && !hardened(f.after) : weakensCapabilities(f) || f.after === undefined) {
          add('security', o, `${f.path}: ${show(f.before)} -> ${show(f.after)}`);
        }
      }
      if (o.kind === 'Deployment')
        for (const f of under('spec.replicas'))
          add('availability', o, `replicas ${show(f.before)} -> ${show(f.after)}${replicasGone(f, o, changes)}`);
    }
    if (o.kind === 'PodDisruptionBudget' || o.kind === 'HorizontalPodAutoscaler') {
      const what =
        o.change === 'changed'
          ? fields
              .filter((f) => f.path.startsWith('spec'))
              .map((f) => `${f.path} ${show(f.before)} -> ${show(f.after)}`)
              .join('; ')
          : o.change;
      if (what) add('availability', o, what);
    }

    // a new CronJob starts runs of its own; a changed schedule runs them at other times
    if (o.kind === 'CronJob') {
      const when = (m: Manifest | undefined) =>
        `"${m?.spec?.schedule}"${m?.spec?.timeZone ? ` (${m.spec.timeZone})` : ''}, concurrency ${m?.spec?.concurrencyPolicy ?? 'Allow'}`;
      if (o.change === 'added') add('schedule', o, `new CronJob: it will run ${when(o.after)}`);
      if (o.change === 'removed') add('schedule', o, `removed: it no longer runs ${when(o.before)}`);
      for (const f of SCHEDULE_FIELDS.flatMap(under))
        add('schedule', o, `${f.path}: ${show(f.before)} -> ${show(f.after)}`);
    }

    if (o.kind === 'NetworkPolicy') {
      if (o.change === 'added' && (o.after?.spec?.ingress?.length || o.after?.spec?.egress?.length)) {
        add('network', o, `new policy allowing ${allows(o.after)}`);
      }
      if (o.change === 'removed' && !o.before?.spec?.ingress?.length && !o.before?.spec?.egress?.length) {
        add('network', o, 'a deny-all policy is removed: what it denied is open');
      }
      // a new or changed value can let more through, and so can a narrowing field that goes
      // (ports, a selector, a label); a whole rule, peer or port that goes lets less through
      for (const f of [...under('spec.ingress'), ...under('spec.egress')].filter(
        (x) => x.after !== undefined || !x.path.endsWith(']'),
      )) {
        add('network', o, `${f.path}: ${show(f.before)} -> ${show(f.after)}`);
      }
      for (const f of under('spec.policyTypes')) add('network', o, `${f.path}: ${show(f.before)} -> ${show(f.after)}`);
    }

    // who reaches the app from outside, and through what (the controller obeys the Ingress's
    // annotations too: its class, body size, auth); where the pods' credentials come from
    const spec = under('spec');
    const edge = [...spec, ...(o.kind === 'Ingress' ? under('metadata.annotations') : [])];
    if ((o.kind === 'Ingress' || o.kind === 'HTTPRoute') && (o.change !== 'changed' || edge.length > 0)) {
      add(
        'exposure',
        o,
        o.change === 'changed'
          ? fieldList(edge)
          : `${o.change}: ${hostsOf(o.after ?? o.before).join(', ') || 'no host'}`,
      );
    }
    if (o.kind === 'ExternalSecret' && (o.change !== 'changed' || spec.length > 0)) {
      const store = (o.after ?? o.before)?.spec?.secretStoreRef;
      add(
        'secrets',
        o,
        o.change === 'changed'
          ? fieldList(spec)
          : `${o.change}: Secret ${(o.after ?? o.before)?.spec?.target?.name} ${o.change === 'added' ? 'now comes from' : 'no longer comes from'} ${store?.kind ?? 'SecretStore'} ${store?.name}${o.change === 'removed' ? ownedSecretGoes(o, after) : ''}`,
      );
    }

    if (o.change !== 'removed') {
      const changedImages =
        o.change === 'added'
          ? images(o.after)
          : fields.filter((f) => f.path.endsWith('.image')).map((f) => String(f.after ?? ''));
      for (const image of changedImages.filter((i) => i && !i.includes('@sha256:'))) {
        add('digest', o, `${image}: no digest, so what runs is whatever the tag points at when a node pulls it`);
      }
    }
    if (o.kind === 'Secret' && o.change !== 'removed') {
      const keys = [...Object.keys(o.after?.data ?? {}), ...Object.keys(o.after?.stringData ?? {})];
      if (keys.length > 0)
        add(
          'secret-data',
          o,
          `${o.change}, with ${keys.join(', ')}: the values are in git, in every clone; the synth never writes a Secret with data (allowed: a reference to a Secret created outside the output)`,
        );
    }
  }
  risks.push(...settingsRisks(changes));
  return risks;
}

/**
 * Every guarded setting that differs, whatever its spelling, from the ConfigMaps' data and the
 * containers' env. Compared over the changed objects of both sides, by kind, object name without
 * its content hash and container, so a Job renamed by a new image carries no change of its own.
 */
function settingsRisks(changes: readonly ObjectChange[]): Risk[] {
  const side = (pick: (o: ObjectChange) => Manifest | undefined) => {
    const found = new Map<string, string[]>();
    for (const o of changes) {
      const m = pick(o);
      if (m) for (const [where, entry] of guardedSettings(m)) found.set(where, [...(found.get(where) ?? []), entry]);
    }
    return found;
  };
  const before = side((o) => o.before);
  const after = side((o) => o.after);
  return [...new Set([...before.keys(), ...after.keys()])].sort().flatMap((key): Risk[] => {
    const [object, container, name] = key.split('\0');
    const [was, now] = [before.get(key)?.join(', ') ?? '(none)', after.get(key)?.join(', ') ?? '(none)'];
    if (was === now) return [];
    const at = container ? `container "${container}": ` : '';
    return [{ kind: 'settings', object, message: `${at}${name} (any spelling): ${was} -> ${now}` }];
  });
}

/** [object \0 container \0 setting, `name=value`] for each guarded setting an object sets */
function guardedSettings(m: Manifest): Array<[string, string]> {
  const object = `${m.kind}/${String(m.metadata?.name ?? '').replace(/-[0-9a-f]{10}$/, '')}`;
  const out: Array<[string, string]> = [];
  const found = (container: string, name: string, value: unknown) => {
    // the backend's settings reader matches names in any case: one key per setting
    if (isGuardedSetting(name))
      out.push([`${object}\0${container}\0${settingName(name)}`, `${name}=${JSON.stringify(value)}`]);
  };
  if (m.kind === 'ConfigMap') for (const [name, value] of Object.entries(m.data ?? {})) found('', name, value);
  const pod =
    m.spec?.template?.spec ?? m.spec?.jobTemplate?.spec?.template?.spec ?? (m.kind === 'Pod' ? m.spec : undefined);
  for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
    for (const e of c.env ?? []) found(String(c.name), String(e.name), e.value ?? e.valueFrom);
  }
  return out;
}

/**
 * Why a Deployment's replicas going matters: the API server defaults spec.replicas to 1, so the
 * Deployment scales down to one pod until an HPA acts (Kubernetes HPA docs, "Migrating
 * Deployments and StatefulSets to horizontal autoscaling").
 */
function replicasGone(f: FieldChange, o: ObjectChange, changes: readonly ObjectChange[]): string {
  if (f.after !== undefined || typeof f.before !== 'number' || f.before <= 1) return '';
  const hpa = changes.find(
    (c) =>
      c.kind === 'HorizontalPodAutoscaler' &&
      c.change === 'added' &&
      c.namespace === o.namespace &&
      c.after?.spec?.scaleTargetRef?.kind === o.kind &&
      c.after?.spec?.scaleTargetRef?.name === o.name,
  );
  const drop = `: the field is removed, the API server defaults it to 1 and the Deployment drops from ${f.before} pods to 1`;
  if (!hpa) return drop;
  const min = hpa.after?.spec?.minReplicas ?? 1;
  return `${drop} until HorizontalPodAutoscaler/${hpa.name}, added in the same change, scales it to ${min}; allowed: minReplicas ${f.before} or more, and spec.replicas taken out of the last applied configuration before the change syncs, so the apply leaves it (README: from replicas to autoscaling)`;
}

/**
 * Why a removed ExternalSecret matters: with creationPolicy Owner (the default) it owns its Secret,
 * and when it is pruned the garbage collector deletes that Secret, whoever still reads it.
 */
function ownedSecretGoes(o: ObjectChange, after: readonly Manifest[]): string {
  const spec = o.before?.spec;
  if ((spec?.target?.creationPolicy ?? 'Owner') !== 'Owner') return '';
  const secret = spec?.target?.name ?? o.name;
  const readers = after
    .filter((m) =>
      referencesOf(m, after).some((r) => r.kind === 'Secret' && r.name === secret && r.namespace === o.namespace),
    )
    .map((m) => `${m.kind}/${m.metadata?.name}`)
    .sort();
  return `; it owns the Secret (creationPolicy Owner), so its prune makes the garbage collector delete Secret ${secret}${readers.length > 0 ? `, which ${readers.join(', ')} still read` : ''}; allowed: first take the Secret out of its hands (kubectl delete externalsecret ${o.name} --cascade=orphan, with sync suspended), then remove it`;
}

function fieldList(fields: readonly FieldChange[]): string {
  return fields.map((f) => `${f.path}: ${show(f.before)} -> ${show(f.after)}`).join('; ');
}

/** the host names an Ingress or an HTTPRoute answers for */
function hostsOf(m: Manifest | undefined): string[] {
  if (m?.kind === 'HTTPRoute') return m.spec?.hostnames ?? [];
  return (m?.spec?.rules ?? []).map((r: { host?: string }) => r.host ?? '*');
}

// pod and object fields outside securityContext that the restricted profile depends on
const POD_FIELDS = new Set([
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'automountServiceAccountToken',
  '"pod-security.kubernetes.io/enforce"',
]);

/** the last key of a field path: `runAsUser`, or a quoted one such as `"pod-security.kubernetes.io/enforce"` */
function lastKey(path: string): string | undefined {
  return (path.match(/(?:^|\.)([A-Za-z_$][\w$-]*)$/) ?? path.match(/\[("[^"]*")\]$/))?.[1];
}

function weakensCapabilities(f: FieldChange): boolean {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  if (/capabilities(\.drop)?$/.test(f.path)) {
    const drop = (v: unknown) => (f.path.endsWith('drop') ? list(v) : list((v as { drop?: unknown })?.drop));
    if (drop(f.before).includes('ALL') && !drop(f.after).includes('ALL')) return true;
  }
  if (/capabilities(\.add)?$/.test(f.path)) {
    const added = (v: unknown) => (f.path.endsWith('add') ? list(v) : list((v as { add?: unknown })?.add));
    return added(f.after).some((c) => !added(f.before).includes(c));
  }
  if (/capabilities\.drop\[\d+\]$/.test(f.path)) return f.before === 'ALL';
  return /capabilities\.add\[\d+\]$/.test(f.path) && f.after !== undefined;
}

/** the images of a pod template's containers and init containers (a CronJob's Jobs' too), or a Pod's */
export function images(m: Manifest | undefined): string[] {
  const pod = m?.spec?.template?.spec ?? m?.spec?.jobTemplate?.spec?.template?.spec ?? m?.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]
    .map((c: { image?: string }) => String(c.image ?? ''))
    .filter(Boolean);
}

function allows(m: Manifest | undefined): string {
  const rules = [
    ...(m?.spec?.ingress ?? []).map((r: unknown) => ['in from', r]),
    ...(m?.spec?.egress ?? []).map((r: unknown) => ['out to', r]),
  ];
  return rules
    .map(
      ([dir, r]) =>
        `${dir} ${JSON.stringify((r as { from?: unknown; to?: unknown }).from ?? (r as { to?: unknown }).to ?? 'anywhere')} on ${JSON.stringify((r as { ports?: unknown }).ports ?? 'any port')}`,
    )
    .join('; ');
}

/** a value for one line of Markdown: JSON, shortened */
export function show(v: unknown): string {
  if (v === undefined) return '(none)';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
