/**
 * From a validated config to the files of `dist/<env>/`: one YAML file per object, named
 * `<kind>-<name>.yaml`, in one folder per delivery stage (`migration/`, `app/`), each with a
 * kustomization.yaml listing its files in apply order; `dist/<env>/kustomization.yaml` lists the
 * stages, so Argo CD and `kubectl apply -k` get everything, and each Flux Kustomization one stage.
 * The engines' own objects go to `delivery/`, which no kustomization lists.
 */
import { App } from 'cdk8s';
import { ReviewpointChart } from './chart';
import type { EnvironmentConfig } from './config';
import { knownDocuments } from './delivery/documents';
import { argoCdApplication, fluxKustomizations } from './delivery/gitops';
import { STAGES, stageOf, type StageName } from './delivery/stages';
import { byCodeUnit } from './determinism';
import { ENVIRONMENT_README, environmentReadme } from './environment-readme';
import { selectorLabels } from './labels';
import { readYaml, toYaml } from './yaml';

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

export const KUSTOMIZATION_FILE = 'kustomization.yaml';
/**
 * On dist/<env>/kustomization.yaml of a production environment (kustomize applies it to nothing):
 * a later run that finds the environment's config gone knows to refuse removing it.
 */
export const PRODUCTION_MARK = 'reviewpoint-k8s/production';
export const DELIVERY_FOLDERS = { argocd: 'delivery/argocd', flux: 'delivery/flux' } as const;

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

/** where an object is written, below dist/<env>/: its stage's folder, or the engine's under delivery/ */
export function filePath(obj: KubeObject): string {
  const folder = obj.apiVersion.startsWith('argoproj.io/')
    ? DELIVERY_FOLDERS.argocd
    : obj.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')
      ? DELIVERY_FOLDERS.flux
      : stageOf(obj.metadata);
  return `${folder}/${fileName(obj)}`;
}

/** the delivery objects of an environment whose stages are known */
export function deliveryObjects(config: EnvironmentConfig, stages: readonly StageName[]): KubeObject[] {
  const props = {
    environment: config.name,
    namespace: config.namespace,
    delivery: config.delivery,
    stages,
    migrationJobLabels: stages.includes('migration') ? selectorLabels(config, 'migration') : undefined,
    migrationSeconds: config.migration.activeDeadlineSeconds,
    rolloutSeconds: config.app.progressDeadlineSeconds,
    externalSecret: config.secrets.externalSecret !== undefined,
  };
  return [argoCdApplication(props), ...fluxKustomizations(props)] as unknown as KubeObject[];
}

export function renderEnvironment(
  config: EnvironmentConfig,
  objects: readonly KubeObject[] = synthesizeObjects(config),
): RenderedEnvironment {
  const header = `# Generated from config/${config.name}.yaml by this repository's synth; do not edit by hand.\n`;
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
