/**
 * A model of how the engines apply an environment, read from the files written to dist/<env>/:
 * which objects each engine applies, in which steps, and whether it waits between them.
 *
 * - `kubectl kustomize`: a kustomization's `resources` are files or folders with their own
 *   kustomization; a path that is neither fails the build.
 * - Argo CD applies dist/<env> in steps of (phase, wave): PreSync hooks, then Sync (hooks and
 *   plain objects), then PostSync; within a phase, wave by wave, and it starts a step only when the
 *   previous one is healthy (hooks completed). Within a step, kinds go in gitops-engine's order.
 * - Flux applies each Kustomization's path as one step, after those it `dependsOn`; a step
 *   holds the next back only with `wait: true` (or health checks). Its `patches` apply first.
 * - kubectl: README's runbook, `kubectl apply -k` of each stage folder in order, with
 *   `kubectl wait` in between.
 * @see ../../README.md "Deploying"
 */
import type { Manifest } from '../policy/types';
import { KUSTOMIZATION_FILE, DELIVERY_FOLDERS } from '../render';
import { STAGES } from './stages';
import { parseFile, parseYaml } from './documents';

export type Engine = 'argocd' | 'flux' | 'kubectl';
export const ENGINES: readonly Engine[] = ['argocd', 'flux', 'kubectl'];

export interface Step {
  /** what applies it, e.g. `PreSync wave -1`, `Kustomization reviewpoint-backend-prod` */
  readonly name: string;
  readonly objects: readonly Manifest[];
  /** the next step starts only once these objects are ready (a Job: completed) */
  readonly waits: boolean;
}

export interface Plan {
  readonly engine: Engine;
  readonly steps: readonly Step[];
  /** what the engine could not make sense of: a missing path, an unknown patch */
  readonly problems: readonly string[];
}

/** the objects `kubectl kustomize <folder>` renders, folder relative to the environment's */
export function kustomize(files: ReadonlyMap<string, string>, folder: string): Manifest[] {
  const at = (name: string) => (folder ? `${folder}/${name}` : name);
  if (!files.has(at(KUSTOMIZATION_FILE))) throw new Error(`${at(KUSTOMIZATION_FILE)} does not exist`);
  const resources: string[] = (parseFile(files, at(KUSTOMIZATION_FILE))[0] as { resources?: string[] }).resources ?? [];
  return resources.flatMap((r) => {
    if (files.has(`${at(r)}/${KUSTOMIZATION_FILE}`)) return kustomize(files, at(r));
    if (!files.has(at(r))) throw new Error(`${at(KUSTOMIZATION_FILE)} lists ${r}, which does not exist`);
    return parseFile(files, at(r));
  });
}

/** the objects of every file of a folder (not its subfolders) */
export function objectsIn(files: ReadonlyMap<string, string>, folder: string): Manifest[] {
  return [...files.keys()]
    .filter(
      (f) => f.startsWith(`${folder}/`) && !f.slice(folder.length + 1).includes('/') && !f.endsWith(KUSTOMIZATION_FILE),
    )
    .flatMap((f) => parseFile(files, f));
}

// gitops-engine's kind order within a step (pkg/sync/sync_tasks.go); other kinds go after, by name
const ARGOCD_KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];
const PHASES = ['PreSync', 'Sync', 'PostSync'];

export function argoCdPlan(objects: readonly Manifest[]): Plan {
  const keyed = objects.flatMap((o) => {
    const hook = o.metadata?.annotations?.['argocd.argoproj.io/hook'];
    // Skip, SyncFail and the delete hooks are not part of a successful sync
    const phase =
      hook === undefined
        ? 'Sync'
        : hook
            .split(',')
            .map((h) => h.trim())
            .find((h) => PHASES.includes(h));
    if (phase === undefined) return [];
    const wave = Number(o.metadata?.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    return [{ o, phase, wave }];
  });
  const groups = new Map<string, { phase: string; wave: number; objects: Manifest[] }>();
  for (const k of keyed) {
    const key = `${k.phase} ${k.wave}`;
    const g = groups.get(key) ?? { phase: k.phase, wave: k.wave, objects: [] };
    g.objects.push(k.o);
    groups.set(key, g);
  }
  const steps = [...groups.values()]
    .sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase) || a.wave - b.wave)
    .map((g) => ({ name: `${g.phase} wave ${g.wave}`, objects: g.objects.sort(byArgoCdKind), waits: true }));
  return { engine: 'argocd', steps, problems: [] };
}

function byArgoCdKind(a: Manifest, b: Manifest): number {
  const rank = (m: Manifest) => {
    const i = ARGOCD_KIND_ORDER.indexOf(m.kind ?? '');
    return i === -1 ? ARGOCD_KIND_ORDER.length : i;
  };
  const an = a.metadata?.name ?? '';
  const bn = b.metadata?.name ?? '';
  return rank(a) - rank(b) || (an < bn ? -1 : an > bn ? 1 : 0);
}

/**
 * Flux: the Kustomizations in dependsOn order. `root` is dist/<env> as the repository knows it;
 * a Kustomization's spec.path must point below it.
 */
export function fluxPlan(files: ReadonlyMap<string, string>, kustomizations: readonly Manifest[], root: string): Plan {
  const problems: string[] = [];
  const byName = new Map(kustomizations.map((k) => [k.metadata?.name ?? '', k]));
  const ordered: Manifest[] = [];
  const visit = (k: Manifest, trail: string[]): void => {
    const name = k.metadata?.name ?? '';
    if (ordered.includes(k)) return;
    if (trail.includes(name)) {
      problems.push(`Kustomization ${name}: dependsOn forms a cycle (${[...trail, name].join(' -> ')})`);
      return;
    }
    for (const d of k.spec?.dependsOn ?? []) {
      const dep = byName.get(d.name);
      if (dep) visit(dep, [...trail, name]);
      else problems.push(`Kustomization ${name}: dependsOn ${d.name}, which is not generated for this environment`);
    }
    ordered.push(k);
  };
  kustomizations.forEach((k) => visit(k, []));

  const steps = ordered.flatMap((k): Step[] => {
    const name = `Kustomization ${k.metadata?.name}`;
    const path = String(k.spec?.path ?? '').replace(/^\.\//, '');
    if (path !== root && !path.startsWith(`${root}/`)) {
      problems.push(`${name}: spec.path ${k.spec?.path} is outside ${root}`);
      return [];
    }
    let objects: Manifest[];
    try {
      objects = kustomize(files, path.slice(root.length + 1));
    } catch (e) {
      problems.push(`${name}: spec.path ${k.spec?.path}: ${(e as Error).message}`);
      return [];
    }
    for (const p of k.spec?.patches ?? [])
      objects = objects.map((o) => (matches(p.target ?? {}, o) ? applyPatch(o, p.patch, name, problems) : o));
    const waits = k.spec?.wait === true || (k.spec?.healthChecks ?? []).length > 0;
    return [{ name, objects, waits }];
  });
  return { engine: 'flux', steps, problems };
}

/** README's kubectl runbook: each stage folder in order, waiting in between */
export function kubectlPlan(files: ReadonlyMap<string, string>): Plan {
  const steps = STAGES.filter((s) => files.has(`${s}/${KUSTOMIZATION_FILE}`)).map((s) => ({
    name: `kubectl apply -k ${s}`,
    objects: kustomize(files, s),
    waits: true,
  }));
  return { engine: 'kubectl', steps, problems: [] };
}

/** every plan of an environment's output */
export function plans(files: ReadonlyMap<string, string>, root: string): Plan[] {
  const objects = kustomize(files, '');
  return [argoCdPlan(objects), fluxPlan(files, objectsIn(files, DELIVERY_FOLDERS.flux), root), kubectlPlan(files)];
}

function matches(target: { kind?: string; name?: string; labelSelector?: string }, o: Manifest): boolean {
  if (target.kind && target.kind !== o.kind) return false;
  if (target.name && target.name !== o.metadata?.name) return false;
  if (target.labelSelector) {
    return target.labelSelector.split(',').every((term) => {
      const [k, v] = term.split('=');
      return o.metadata?.labels?.[k.trim()] === v?.trim();
    });
  }
  return true;
}

/** the JSON 6902 `remove` operations the generated Kustomizations use; anything else is refused */
function applyPatch(o: Manifest, patch: string, owner: string, problems: string[]): Manifest {
  const ops = parseYaml(`ops: ${patch.includes('\n') ? `\n${patch.replace(/^/gm, '  ')}` : patch}`)[0] as {
    ops: Array<{ op: string; path: string }>;
  };
  const copy = structuredClone(o) as Record<string, any>;
  for (const { op, path } of ops.ops ?? []) {
    const keys = path.split('/').slice(1);
    const parent = keys.slice(0, -1).reduce<any>((node, k) => node?.[k], copy);
    if (op !== 'remove' || parent === undefined || !(keys[keys.length - 1] in parent)) {
      problems.push(`${owner}: patch ${op} ${path} cannot be applied to ${o.kind}/${o.metadata?.name}`);
      continue;
    }
    delete parent[keys[keys.length - 1]];
  }
  return copy as Manifest;
}
