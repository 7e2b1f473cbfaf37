/**
 * Finding pod templates and containers in any workload kind.
 */
import { objectRef, type Manifest } from './types';

export interface PodTemplate {
  readonly owner: Manifest;
  readonly ref: string;
  readonly spec: any;
  readonly metadata: any;
  /** serves traffic for its whole life (not a Job's pod) */
  readonly longRunning: boolean;
}

export interface ContainerAt {
  readonly pod: PodTemplate;
  readonly container: any;
  readonly init: boolean;
}

const TEMPLATED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

export function podTemplates(manifests: readonly Manifest[]): PodTemplate[] {
  const pods: PodTemplate[] = [];
  for (const m of manifests) {
    const kind = m.kind ?? '';
    let template: any;
    if (TEMPLATED.has(kind)) template = m.spec?.template;
    else if (kind === 'CronJob') template = m.spec?.jobTemplate?.spec?.template;
    else if (kind === 'Pod') template = { metadata: m.metadata, spec: m.spec };
    if (!template) continue;
    const longRunning = kind !== 'Job' && kind !== 'CronJob' && !(kind === 'Pod' && m.spec?.restartPolicy === 'Never');
    const { spec = {}, metadata = {} } = template;
    pods.push({ owner: m, ref: objectRef(m), spec, metadata, longRunning });
  }
  return pods;
}

export function containersOf(pod: PodTemplate): ContainerAt[] {
  return [
    ...(pod.spec.initContainers ?? []).map((container: any) => ({ pod, container, init: true })),
    ...(pod.spec.containers ?? []).map((container: any) => ({ pod, container, init: false })),
    ...(pod.spec.ephemeralContainers ?? []).map((container: any) => ({ pod, container, init: false })),
  ];
}

export interface SecurityContextAt {
  /** the container it belongs to; undefined for the pod's own */
  readonly container?: string;
  /** the securityContext, which may be missing */
  readonly context: any;
}

/** the pod's securityContext, then every container's: the places a pod-wide setting can be made */
export function securityContexts(pod: PodTemplate): SecurityContextAt[] {
  return [
    { context: pod.spec.securityContext },
    ...containersOf(pod).map(({ container: c }) => ({ container: c.name ?? '?', context: c.securityContext })),
  ];
}

/** a variable a container sees, and where it comes from */
export interface EnvEntry {
  readonly name: string;
  /** the literal value; undefined when it comes from a reference (a Secret, a field) */
  readonly value?: string;
  /** `env`, or the ConfigMap it comes from by envFrom */
  readonly from: string;
}

/**
 * The environment a container starts with, as far as the output tells: its envFrom ConfigMaps
 * of the output (their keys, prefixed), then its env, the order the kubelet builds it in.
 */
export function containerEnv(container: any, owner: Manifest, manifests: readonly Manifest[]): EnvEntry[] {
  const entries: EnvEntry[] = [];
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const map = manifests.find(
      (m) => m.kind === 'ConfigMap' && m.metadata?.name === name && m.metadata?.namespace === owner.metadata?.namespace,
    );
    for (const [key, value] of Object.entries<string>(map?.data ?? {})) {
      entries.push({ name: `${source.prefix ?? ''}${key}`, value, from: `ConfigMap/${name}` });
    }
  }
  for (const e of container.env ?? []) {
    entries.push({ name: e.name, ...(e.valueFrom === undefined ? { value: String(e.value ?? '') } : {}), from: 'env' });
  }
  return entries;
}
