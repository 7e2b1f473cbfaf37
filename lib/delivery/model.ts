/**
 * A model of how the engines apply an environment, read from the files written to dist/<env>/:
 * which objects each engine applies, in which steps, and whether it waits between them.
 *
 * - `kubectl kustomize`: a kustomization's `resources` are files or folders with their own
 *   kustomization; a path that is neither fails the build.
 * - Argo CD applies dist/<env> in steps of (phase, wave): PreSync hooks, then Sync (hooks and
 *   plain objects), then PostSync; within a phase, wave by wave, and it starts a step only when the
 *   previous one is healthy (hooks completed). Within a step, kinds go in gitops-engine's order.
 *   That is a full sync (a new revision, a retry, a manual sync). A self-heal is a sync of the
 *   drifted objects alone, and a sync with a resource list skips hooks: no migration runs then.
 * - A step stopped by a failed Job keeps what it and the steps before it applied: those objects
 *   reach the running app even though the migration failed.
 * - Flux applies each Kustomization's path as one step, after those it `dependsOn`; a step
 *   holds the next back only with `wait: true` (or health checks). Its `patches` apply first.
 *   Within a step everything lands in one batch, and kstatus calls an object Current before an
 *   operator has written its status: `wait` does not wait for an ExternalSecret's Secret.
 * - A PersistentVolumeClaim is healthy to Argo CD and Current to kstatus only once Bound, and a
 *   StorageClass with volumeBindingMode WaitForFirstConsumer binds it only when a pod that mounts
 *   it is scheduled: it belongs in the step of those pods (gitops-engine pkg/health, kstatus).
 * - kubectl: README's runbook, `kubectl apply -k` of each stage folder in order, with
 *   `kubectl wait` in between.
 * @see ../../README.md "Deploying"
 */
import type { Manifest } from '../policy/types';
import { keyOf, sameObject } from '../kube-object';
import { KUSTOMIZATION_FILE, DELIVERY_FOLDERS } from '../layout';
import { STAGES } from './stages';
import { parseFile, parseYaml } from './documents';

export type Engine = 'argocd' | 'flux' | 'kubectl';
export const ENGINES: readonly Engine[] = ['argocd', 'flux', 'kubectl'];

export interface Step {
  /** what applies it, e.g. `PreSync wave -1`, `Kustomization reviewpoint-backend-prod` */
  readonly name: string;
  readonly objects: readonly Manifest[];
  /** the objects of this step the step is not done without (a Job: completed) */
  readonly waitsFor: (o: Manifest) => boolean;
  /** the steps that are done before this one starts (indices into the plan's steps) */
  readonly after: ReadonlySet<number>;
}

/** is `o`, applied in step `i`, ready before step `j` is applied? */
export function readyBefore(plan: Plan, i: number, o: Manifest, j: number): boolean {
  return plan.steps[j].after.has(i) && plan.steps[i].waitsFor(o);
}

/**
 * does the object `p` provides (an ExternalSecret's Secret), applied in step `i`, exist before
 * step `j` starts? Only when `j` waits for `i` and `i` waits for `p` to be ready; within one step
 * nothing is guaranteed (a pod that needs it waits in CreateContainerConfigError until it exists)
 */
export function providedBefore(plan: Plan, i: number, p: Manifest, j: number): boolean {
  return i !== j && readyBefore(plan, i, p, j);
}

/** one step after another, each done before the next: Argo CD's waves, the kubectl runbook */
function inSequence(steps: ReadonlyArray<Omit<Step, 'after'>>): Step[] {
  return steps.map((s, i) => ({ ...s, after: new Set(Array.from({ length: i }, (_, k) => k)) }));
}

const everything = () => true;

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
    const phase = phaseOf(o);
    if (phase === undefined) return [];
    // gitops-engine creates a Namespace of the manifests before anything else, hooks included
    if (o.kind === 'Namespace' && !isArgoHook(o)) return [{ o, phase: PHASES[0], wave: -Infinity }];
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
    .map((g) => ({
      name: g.wave === -Infinity ? 'namespaces first' : `${g.phase} wave ${g.wave}`,
      objects: g.objects.sort(byArgoCdKind),
      // a wave is done when its objects are healthy and its hooks completed
      waitsFor: everything,
    }));
  return { engine: 'argocd', steps: inSequence(steps), problems: [] };
}

/**
 * What an Argo CD self-heal applies when `drifted` objects differ from git: those objects alone,
 * in the same order, and no hook (argo-cd controller/appcontroller.go autoSync lists the
 * out-of-sync resources; controller/sync.go skips hooks for a sync with a resource list).
 */
export function argoCdSelfHeal(objects: readonly Manifest[], drifted: (o: Manifest) => boolean): Plan {
  return argoCdPlan(objects.filter((o) => drifted(o) && !isArgoHook(o)));
}

/**
 * What a plan has applied, and keeps, when the migration Job of `job` fails: the other objects
 * of its step and everything of the steps it comes after. They reach the running app.
 */
export function appliedBeforeFailure(plan: Plan, job: Manifest): Manifest[] {
  const i = plan.steps.findIndex((s) => s.objects.some((o) => sameObject(keyOf(o), keyOf(job))));
  if (i === -1) return [];
  return plan.steps.flatMap((s, k) =>
    k === i || plan.steps[i].after.has(k) ? s.objects.filter((o) => !sameObject(keyOf(o), keyOf(job))) : [],
  );
}

const isArgoHook = (o: Manifest) => o.metadata?.annotations?.['argocd.argoproj.io/hook'] !== undefined;

// Helm hooks Argo CD maps onto its own phases, when no Argo CD hook annotation is present
const HELM_PHASES: Readonly<Record<string, string>> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
};

/** the phase Argo CD applies an object in; undefined for Skip, SyncFail and the delete hooks */
function phaseOf(o: Manifest): string | undefined {
  const list = (key: string) =>
    (o.metadata?.annotations?.[key] ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
  const argo = list('argocd.argoproj.io/hook');
  if (argo.length > 0) return argo.find((h) => PHASES.includes(h));
  const helm = list('helm.sh/hook');
  if (helm.length > 0) return helm.map((h) => HELM_PHASES[h]).find((p) => p !== undefined);
  return 'Sync';
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

  const built = ordered.flatMap((k) => {
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
    return [{ k, step: { name, objects, waitsFor: readiness(k) } }];
  });
  // Kustomizations run side by side; one starts after another only through dependsOn, followed
  // as far as it goes, and the one depended on is done when it is Ready
  const at = new Map(built.map((b, i) => [b.k.metadata?.name, i]));
  const before = (k: Manifest, seen = new Set<number>()): Set<number> => {
    for (const d of k.spec?.dependsOn ?? []) {
      const i = at.get(d.name);
      if (i === undefined || seen.has(i)) continue;
      seen.add(i);
      before(built[i].k, seen);
    }
    return seen;
  };
  const steps = built.map((b) => ({ ...b.step, after: before(b.k) }));
  return { engine: 'flux', steps, problems };
}

/**
 * Kinds kstatus reads as Current as soon as they exist, having no status reader of their own and
 * no conditions yet: ready to Flux before the operator has done anything (fluxcd/cli-utils
 * pkg/kstatus/status). Flux 2.5+ `healthCheckExprs` would gate on their Ready condition.
 */
const CURRENT_WITHOUT_STATUS = new Set(['ExternalSecret']);

/** what a Kustomization is Ready without: all its objects with wait, those its healthChecks name, or none */
function readiness(k: Manifest): (o: Manifest) => boolean {
  const checks: Array<{ kind?: string; name?: string; namespace?: string }> = k.spec?.healthChecks ?? [];
  return (o) =>
    !CURRENT_WITHOUT_STATUS.has(o.kind ?? '') &&
    (k.spec?.wait === true ||
      checks.some(
        (c) =>
          c.kind === o.kind &&
          c.name === o.metadata?.name &&
          (c.namespace ?? o.metadata?.namespace) === o.metadata?.namespace,
      ));
}

/** README's kubectl runbook: each stage folder in order, waiting in between */
export function kubectlPlan(files: ReadonlyMap<string, string>): Plan {
  const steps = STAGES.filter((s) => files.has(`${s}/${KUSTOMIZATION_FILE}`)).map((s) => ({
    name: `kubectl apply -k ${s}`,
    objects: kustomize(files, s),
    // the runbook waits for the Job to complete, nothing else
    waitsFor: (o: Manifest) => o.kind === 'Job',
  }));
  return { engine: 'kubectl', steps: inSequence(steps), problems: [] };
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
