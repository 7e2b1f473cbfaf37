/**
 * From a validated config to the files of `dist/<env>/` (laid out as layout.ts says): each
 * stage folder's kustomization.yaml lists its files in apply order; `dist/<env>/kustomization.yaml`
 * lists the stages, so Argo CD and `kubectl apply -k` get everything, and each Flux Kustomization
 * one stage.
 */
import { App, type Chart } from 'cdk8s';
import { ReviewpointChart } from './app/chart';
import { deliveryObjects } from './app/delivery';
import type { EnvironmentConfig } from './config';
import { knownDocuments } from './delivery/documents';
import { STAGES, stageOf, type StageName } from './delivery/stages';
import { byCodeUnit } from './determinism';
import { ENVIRONMENT_README, environmentReadme } from './environment-readme';
import type { KubeObject } from './kube-object';
import { filePath, KUSTOMIZATION_FILE, PRODUCTION_MARK } from './layout';
import { readYaml, toYaml } from './yaml';

// the object type, the layout of dist/ and the delivery objects have modules of their own; the
// callers that read them along with the rendering import them from here too
export { deliveryObjects } from './app/delivery';
export type { KubeObject } from './kube-object';
export { DELIVERY_FOLDERS, fileName, filePath, KUSTOMIZATION_FILE, PRODUCTION_MARK } from './layout';

export interface RenderedEnvironment {
  readonly name: string;
  /** what runs in the environment's namespace: the objects of every stage */
  readonly objects: readonly KubeObject[];
  /** the Argo CD Application and the Flux Kustomizations */
  readonly delivery: readonly KubeObject[];
  /** the stages the environment has, in apply order */
  readonly stages: readonly StageName[];
  /** path below dist/<env>/ -> content */
  readonly files: ReadonlyMap<string, string>;
}

// apply order: what others depend on first (kustomize reorders the same way on its own)
const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'ConfigMap',
  'ExternalSecret',
  'NetworkPolicy',
  'Service',
  'Job',
  'Deployment',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Ingress',
];

/** a chart's objects, in apply order */
export function chartObjects(chart: Chart): KubeObject[] {
  const objects = chart.toJson() as KubeObject[];
  return objects.sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || byCodeUnit(a.metadata.name, b.metadata.name));
}

/** the objects of one environment, from an App of its own */
export function synthesizeObjects(config: EnvironmentConfig): KubeObject[] {
  return chartObjects(new ReviewpointChart(new App({ outdir: 'unused' }), config.name, { config }));
}

export function renderEnvironment(
  config: EnvironmentConfig,
  objects: readonly KubeObject[] = synthesizeObjects(config),
): RenderedEnvironment {
  const header = generatedHeader(config.name);
  const files = new Map<string, string>();
  const stages = STAGES.filter((s) => objects.some((o) => stageOf(o.metadata) === s));
  const delivery = deliveryObjects(config, stages);
  // each folder's kustomization.yaml lists its files in the order they come (apply order)
  const folders = new Map<string, string[]>();
  for (const obj of [...objects, ...delivery]) {
    const file = filePath(obj);
    if (files.has(file)) throw new Error(`environment "${config.name}": two objects would be written to ${file}`);
    files.set(file, header + toYaml(obj));
    const folder = file.slice(0, file.lastIndexOf('/'));
    folders.set(folder, [...(folders.get(folder) ?? []), file.slice(folder.length + 1)]);
  }
  for (const [folder, names] of folders)
    files.set(`${folder}/${KUSTOMIZATION_FILE}`, header + toYaml(kustomization(names)));
  const metadata = { name: config.name, ...(config.production ? { annotations: { [PRODUCTION_MARK]: 'true' } } : {}) };
  files.set(KUSTOMIZATION_FILE, header + toYaml({ ...kustomization(stages), metadata }));
  // for reviewers: no kustomization lists it, so no engine applies it
  files.set(ENVIRONMENT_README, environmentReadme(config, objects));
  // the gate reads these files as each engine will; what they hold is known
  knownDocuments(files, new Map([...objects, ...delivery].map((o) => [filePath(o), [o]])));
  return { name: config.name, objects, delivery, stages, files };
}

/** the first line of every YAML file the synth writes for an environment: also how a later run knows its own output */
export function generatedHeader(environment: string): string {
  return `# Generated from config/${environment}.yaml by this repository's synth; do not edit by hand.\n`;
}

/** whether an environment's files (as rendered, or read back from dist/) are a production environment's */
export function isProductionOutput(files: ReadonlyMap<string, string>): boolean {
  const root = files.get(KUSTOMIZATION_FILE);
  if (root === undefined) return false;
  const data = readYaml(root) as { metadata?: { annotations?: Record<string, string> } } | null;
  return data?.metadata?.annotations?.[PRODUCTION_MARK] === 'true';
}

function kustomization(resources: readonly string[]): object {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] };
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}
