/**
 * The pods of the rendered objects as the README reads them: each Deployment, Job and CronJob
 * with its pod template's labels and spec, and its containers, init containers first.
 */
import type { KubeObject } from '../kube-object';

export type Labels = Record<string, string>;
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
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

/** the kinds whose pods the README shows, and where each keeps its pod template */
const TEMPLATES: Readonly<Record<string, (spec: any) => { metadata?: { labels?: Labels }; spec: PodSpec }>> = {
  Deployment: (spec) => spec.template,
  Job: (spec) => spec.template,
  CronJob: (spec) => spec.jobTemplate.spec.template,
};

export function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  return objects
    .filter((o) => TEMPLATES[o.kind] !== undefined)
    .map((o) => {
      const template = TEMPLATES[o.kind](o.spec);
      const labels = template.metadata?.labels ?? {};
      return {
        // a Mermaid node id: letters, digits and "_"
        id: (labels['app.kubernetes.io/component'] ?? o.kind.toLowerCase()).replace(/[^A-Za-z0-9]/g, '_'),
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
