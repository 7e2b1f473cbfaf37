/**
 * The pods of the rendered objects as the README reads them: each Deployment and Job with its
 * pod template's labels and spec, and its containers, init containers first.
 */
import type { KubeObject } from '../kube-object';

export type Labels = Record<string, string>;
export interface Container {
  name: string;
  image: string;
  command?: string[];
  resources?: { requests?: Labels; limits?: Labels };
  securityContext?: Record<string, any>;
  lifecycle?: { preStop?: unknown };
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, any>;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
}
export interface Workload {
  id: string;
  object: KubeObject;
  labels: Labels;
  pod: PodSpec;
}

export function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => {
      const template = (o.spec as { template: { metadata?: { labels?: Labels }; spec: PodSpec } }).template;
      const labels = template.metadata?.labels ?? {};
      return {
        id: labels['app.kubernetes.io/component'] ?? o.kind.toLowerCase(),
        object: o,
        labels,
        pod: template.spec,
      };
    });
}

export function containersOf(pod: PodSpec): Array<{ c: Container; init: boolean }> {
  return [
    ...(pod.initContainers ?? []).map((c) => ({ c, init: true })),
    ...pod.containers.map((c) => ({ c, init: false })),
  ];
}
