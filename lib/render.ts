/**
 * From a validated config to the files of `dist/<env>/`: one YAML file per object, named
 * `<kind>-<name>.yaml`, and a kustomization.yaml listing them in apply order.
 */
import { App } from 'cdk8s';
import { ReviewpointChart } from './chart';
import type { EnvironmentConfig } from './config';
import { byCodeUnit } from './labels';
import { toYaml } from './yaml';

/** a synthesized Kubernetes object */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

export interface RenderedEnvironment {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  /** file name -> content, in the order the kustomization lists them */
  readonly files: ReadonlyMap<string, string>;
}

// apply order: what others depend on first (kustomize reorders the same way on its own)
const KIND_ORDER = [
  'Namespace', 'ServiceAccount', 'ConfigMap', 'NetworkPolicy', 'Service', 'Job',
  'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Ingress',
];

export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** build the objects of one environment */
export function synthesizeObjects(config: EnvironmentConfig): KubeObject[] {
  // one App per environment: cdk8s resolves the whole App for each chart it renders
  const app = new App({ outdir: 'unused' });
  const chart = new ReviewpointChart(app, config.name, { config });
  const objects = chart.toJson() as KubeObject[];
  return objects.sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || byCodeUnit(a.metadata.name, b.metadata.name));
}

export function fileName(obj: KubeObject): string {
  return `${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`;
}

export function renderEnvironment(config: EnvironmentConfig, objects: readonly KubeObject[] = synthesizeObjects(config)): RenderedEnvironment {
  const header = `# Generated from config/${config.name}.yaml by this repository's synth; do not edit by hand.\n`;
  const files = new Map<string, string>();
  for (const obj of objects) {
    const name = fileName(obj);
    if (files.has(name)) throw new Error(`environment "${config.name}": two objects would be written to ${name}`);
    files.set(name, header + toYaml(obj));
  }
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...files.keys()],
  };
  files.set(KUSTOMIZATION_FILE, header + toYaml(kustomization));
  return { name: config.name, objects, files };
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}
