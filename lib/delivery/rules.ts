/**
 * The delivery rules: what must hold for a first sync, and every later one, to come up under
 * Argo CD, Flux and kubectl. Each reads the model of lib/delivery/model.ts; facts and sources in
 * README ("Deploying") and the gitops facts the project keeps.
 */
import { objectRef, type Manifest, type Violation } from '../policy/types';
import { plans, kustomize, objectsIn, type Plan } from './model';
import { CLUSTER_SCOPED, keyOf, providedBy, referencesOf, sameObject, showKey, type ObjectKey } from './references';
import { ARGOCD_HOOK, ARGOCD_HOOK_DELETE_POLICY, ARGOCD_SYNC_OPTIONS, FLUX_PRUNE } from './stages';
import { DELIVERY_FOLDERS } from '../render';

export interface DeliveryInput {
  readonly environment: string;
  /** the environment's files: path below dist/<env>/ -> content */
  readonly files: ReadonlyMap<string, string>;
  /** dist/<env> as the GitOps repository knows it, e.g. `dist/prod` */
  readonly root: string;
  /** objects that exist before any sync, named in the config (the Secret, a TLS secret, a volume claim) */
  readonly prerequisites: readonly ObjectKey[];
}

/** what the rules read: the input, the objects of dist/<env> and each engine's plan */
interface Model extends DeliveryInput {
  readonly objects: readonly Manifest[];
  readonly plans: readonly Plan[];
}

export interface DeliveryRule {
  readonly id: string;
  /** one line: what the rule requires */
  readonly description: string;
  check(model: Model): Violation[];
}

const rule = (id: string, description: string, check: (m: Model) => Violation[]): DeliveryRule => ({
  id,
  description,
  check,
});

/** is `k` this object, or what it provides (an ExternalSecret's Secret)? */
const isOrProvides = (o: Manifest, k: ObjectKey) =>
  sameObject(keyOf(o), k) || providedBy(o).some((p) => sameObject(p, k));

/** the step of each object in a plan, by object key; a provided object is in its provider's step */
function stepIndex(plan: Plan): (k: ObjectKey) => number | undefined {
  return (k) => {
    const i = plan.steps.findIndex((s) => s.objects.some((o) => isOrProvides(o, k)));
    return i === -1 ? undefined : i;
  };
}

const isHook = (o: Manifest) => o.metadata?.annotations?.[ARGOCD_HOOK] !== undefined;
const annotationList = (o: Manifest, key: string) =>
  (o.metadata?.annotations?.[key] ?? '').split(',').map((s) => s.trim());

export const DELIVERY_RULES: readonly DeliveryRule[] = [
  rule('delivery-missing', 'every object an object names is in the output or a declared prerequisite', (m) =>
    m.objects.flatMap((o) =>
      referencesOf(o, m.objects)
        .filter((r) => !m.objects.some((x) => isOrProvides(x, r)) && !m.prerequisites.some((p) => sameObject(p, r)))
        .map((r) => ({
          rule: 'delivery-missing',
          object: objectRef(o),
          message: `${r.field} needs ${showKey(r)}, which is neither in the output nor a declared prerequisite (the config's secrets or their store, ingress TLS secret, uploads claim, image pull secrets), nor created by an ExternalSecret of the output`,
        })),
    ),
  ),

  rule('delivery-order', 'under every engine, what an object needs is applied before it, or with it', (m) =>
    m.plans.flatMap((plan) => {
      const at = stepIndex(plan);
      return m.objects.flatMap((o) => {
        const i = at(keyOf(o));
        if (i === undefined) return [];
        return referencesOf(o, m.objects).flatMap((r): Violation[] => {
          const source = m.objects.find((x) => isOrProvides(x, r));
          if (!source) return [];
          const j = at(r);
          const base = { rule: 'delivery-order', object: objectRef(o) };
          const what = sameObject(keyOf(source), r) ? showKey(r) : `${showKey(r)}, created by ${objectRef(source)}`;
          if (j === undefined)
            return [
              { ...base, message: `${plan.engine}: ${r.field} needs ${what}, which ${plan.engine} never applies` },
            ];
          // a later step only hurts when a step in between waits for this object to be ready
          if (j > i && plan.steps.slice(i, j).some((s) => s.waits)) {
            return [
              {
                ...base,
                message: `${plan.engine}: ${r.field} needs ${what}, applied in "${plan.steps[j].name}", after "${plan.steps[i].name}" waits for this object: it can never become ready`,
              },
            ];
          }
          return [];
        });
      });
    }),
  ),

  rule(
    'delivery-coverage',
    'every engine applies every object of dist/<env> exactly once, from paths that exist',
    (m) =>
      m.plans
        .flatMap((plan) => {
          const out: Violation[] = plan.problems.map((p) => ({
            rule: 'delivery-coverage',
            object: plan.engine,
            message: p,
          }));
          for (const o of m.objects) {
            const times = plan.steps.reduce(
              (n, s) => n + s.objects.filter((x) => sameObject(keyOf(x), keyOf(o))).length,
              0,
            );
            const hookOnlyInArgo = plan.engine !== 'argocd' || times > 0 || !isHook(o);
            if (times !== 1 && hookOnlyInArgo) {
              out.push({
                rule: 'delivery-coverage',
                object: objectRef(o),
                message: `${plan.engine} applies it ${times === 0 ? 'never' : `${times} times (two owners would fight over it)`}; allowed: once`,
              });
            }
          }
          return out;
        })
        .concat(
          objectsIn(m.files, DELIVERY_FOLDERS.argocd).flatMap((app) =>
            app.spec?.source?.path === m.root
              ? []
              : [
                  {
                    rule: 'delivery-coverage',
                    object: objectRef(app),
                    message: `spec.source.path is ${JSON.stringify(app.spec?.source?.path)}; allowed: ${m.root}`,
                  },
                ],
          ),
        ),
  ),

  rule('migration-first', 'under every engine, the migration Job completes before any Deployment rolls out', (m) =>
    m.plans.flatMap((plan) => {
      const at = stepIndex(plan);
      const jobs = m.objects.filter((o) => o.kind === 'Job');
      const deployments = m.objects.filter((o) => o.kind === 'Deployment');
      return jobs.flatMap((job) =>
        deployments.flatMap((d): Violation[] => {
          const j = at(keyOf(job));
          const k = at(keyOf(d));
          if (j === undefined || k === undefined) return [];
          if (j < k && plan.steps.slice(j, k).some((s) => s.waits)) return [];
          return [
            {
              rule: 'migration-first',
              object: objectRef(job),
              message: `${plan.engine}: ${objectRef(d)} is applied ${j < k ? 'without waiting for it' : 'no later than it'}: new pods would start before the schema is migrated`,
            },
          ];
        }),
      );
    }),
  ),

  rule('job-rerun', 'no engine re-creates a finished Job (and re-runs the migration) once its TTL removed it', (m) =>
    m.plans.flatMap((plan) =>
      plan.engine === 'kubectl'
        ? []
        : plan.steps.flatMap((s) =>
            s.objects
              .filter(
                (o) =>
                  o.kind === 'Job' &&
                  o.spec?.ttlSecondsAfterFinished !== undefined &&
                  !(plan.engine === 'argocd' && isHook(o)),
              )
              .map((o) => ({
                rule: 'job-rerun',
                object: objectRef(o),
                message: `${plan.engine}: ttlSecondsAfterFinished deletes the finished Job, and ${plan.engine} applies it again at the next ${plan.engine === 'flux' ? 'reconcile' : 'self-heal'}: the migration would run again`,
              })),
          ),
    ),
  ),

  rule('hook-cleanup', 'Argo CD hooks with changing names are removed after they ran (TTL or HookSucceeded)', (m) =>
    m.objects
      .filter((o) => o.kind === 'Job' && isHook(o))
      .filter(
        (o) =>
          o.spec?.ttlSecondsAfterFinished === undefined &&
          !annotationList(o, ARGOCD_HOOK_DELETE_POLICY).includes('HookSucceeded'),
      )
      .map((o) => ({
        rule: 'hook-cleanup',
        object: objectRef(o),
        message:
          'Argo CD never prunes hooks, and BeforeHookCreation removes only a Job of the same name: set ttlSecondsAfterFinished or the HookSucceeded delete policy',
      })),
  ),

  rule('force-scope', 'Flux never recreates a Namespace or a volume claim to force an apply', (m) =>
    objectsIn(m.files, DELIVERY_FOLDERS.flux)
      .filter((k) => k.spec?.force === true)
      .flatMap((k) => {
        const step = m.plans
          .find((p) => p.engine === 'flux')
          ?.steps.find((s) => s.name === `Kustomization ${k.metadata?.name}`);
        return (step?.objects ?? [])
          .filter((o) => ['Namespace', 'PersistentVolumeClaim'].includes(o.kind ?? ''))
          .map((o) => ({
            rule: 'force-scope',
            object: objectRef(k),
            message: `spec.force recreates ${objectRef(o)} on an immutable-field conflict, and everything in it goes too; allowed: force only the Job, with the annotation kustomize.toolkit.fluxcd.io/force: enabled`,
          }));
      }),
  ),

  rule('cluster-scoped', 'cluster-scoped objects carry no metadata.namespace', (m) =>
    m.objects
      .filter((o) => CLUSTER_SCOPED.has(o.kind ?? '') && o.metadata?.namespace !== undefined)
      .map((o) => ({
        rule: 'cluster-scoped',
        object: objectRef(o),
        message: `metadata.namespace is ${JSON.stringify(o.metadata?.namespace)} on a cluster-scoped kind; allowed: unset (Flux health checks hang on it, Config Sync refuses it)`,
      })),
  ),

  rule('namespace-protected', 'the Namespace survives prune and application deletion in Argo CD and Flux', (m) =>
    m.objects
      .filter((o) => o.kind === 'Namespace')
      .flatMap((o) => {
        const argo = annotationList(o, ARGOCD_SYNC_OPTIONS);
        const missing = [
          ...(argo.includes('Prune=false') ? [] : [`${ARGOCD_SYNC_OPTIONS}: Prune=false`]),
          ...(argo.includes('Delete=false') ? [] : [`${ARGOCD_SYNC_OPTIONS}: Delete=false`]),
          ...(o.metadata?.annotations?.[FLUX_PRUNE] === 'disabled' ? [] : [`${FLUX_PRUNE}: disabled`]),
        ];
        return missing.length === 0
          ? []
          : [
              {
                rule: 'namespace-protected',
                object: objectRef(o),
                message: `missing ${missing.join(', ')}: pruning or deleting the application would delete the namespace, and the Secret, TLS secret and volumes in it`,
              },
            ];
      }),
  ),

  rule(
    'network-closure',
    'traffic our policies let out to pods of the same namespace is also let into those pods',
    (m) => networkClosure(m.objects),
  ),
];

/** does a matchLabels selector (empty: every pod) select these labels? */
function matchLabels(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function networkClosure(objects: readonly Manifest[]): Violation[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const out: Violation[] = [];
  for (const p of policies) {
    const ns = p.metadata?.namespace ?? '';
    // the pods this policy lets out, as the labels its selector requires
    const source: Record<string, string> = p.spec?.podSelector?.matchLabels ?? {};
    for (const [i, egress] of (p.spec?.egress ?? []).entries()) {
      for (const peer of egress.to ?? []) {
        if (peer.ipBlock) continue;
        const sameNamespace =
          peer.namespaceSelector === undefined ||
          peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] === ns;
        if (!sameNamespace) continue;
        const target: Record<string, string> = peer.podSelector?.matchLabels ?? {};
        const guarding = policies.filter(
          (q) =>
            q.metadata?.namespace === ns &&
            (q.spec?.policyTypes ?? []).includes('Ingress') &&
            matchLabels(q.spec?.podSelector?.matchLabels, target),
        );
        if (guarding.length === 0) continue;
        for (const port of egress.ports ?? [{}]) {
          const admitted = guarding.some((q) =>
            (q.spec?.ingress ?? []).some(
              (allow: any) =>
                (allow.from === undefined ||
                  allow.from.length === 0 ||
                  allow.from.some(
                    (f: any) =>
                      !f.ipBlock &&
                      (f.namespaceSelector === undefined ||
                        f.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] === ns) &&
                      matchLabels(f.podSelector?.matchLabels, source),
                  )) &&
                (allow.ports === undefined ||
                  allow.ports.length === 0 ||
                  port.port === undefined ||
                  allow.ports.some(
                    (rp: any) => rp.port === port.port && (rp.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
                  )),
            ),
          );
          if (!admitted) {
            out.push({
              rule: 'network-closure',
              object: objectRef(p),
              message: `spec.egress[${i}] lets pods ${JSON.stringify(source)} reach pods ${JSON.stringify(target)} of namespace ${ns}${port.port !== undefined ? ` on ${port.protocol ?? 'TCP'} ${port.port}` : ''}, but ${guarding.map(objectRef).join(', ')} admit${guarding.length === 1 ? 's' : ''} no such traffic into them`,
            });
          }
        }
      }
    }
  }
  return out;
}

/** every delivery violation of one environment's output */
export function checkDelivery(input: DeliveryInput): Violation[] {
  let model: Model;
  try {
    model = { ...input, objects: kustomize(input.files, ''), plans: plans(input.files, input.root) };
  } catch (e) {
    return [{ rule: 'delivery-coverage', object: 'kustomization.yaml', message: (e as Error).message }];
  }
  return DELIVERY_RULES.flatMap((r) => r.check(model));
}
