/**
 * The rules of what stays and what goes: finished Jobs that are not run again, hooks that do not
 * pile up, a Namespace and volume claims that neither an engine nor a forced apply deletes, and a
 * claim applied where it can bind.
 */
import { objectRef } from '../policy/types';
import { DELIVERY_FOLDERS } from '../layout';
import type { Manifest } from '../policy/types';
import { argoCdSelfHeal, objectsIn, readyBefore } from './model';
import { CLUSTER_SCOPED, keyOf, referencesOf, sameObject } from './references';
import { annotationList, isHook, rule, stepIndex, type DeliveryRule } from './rule';
import { ARGOCD_HOOK_DELETE_POLICY, ARGOCD_SYNC_OPTIONS, FLUX_PRUNE } from './stages';

export const LIFECYCLE_RULES: readonly DeliveryRule[] = [
  rule('job-rerun', 'no engine re-creates a finished Job (and re-runs the migration) once its TTL removed it', (m) =>
    m.plans.flatMap((plan) =>
      plan.engine === 'kubectl'
        ? []
        : plan.steps.flatMap((s) =>
            s.objects
              .filter((o) => o.kind === 'Job' && o.spec?.ttlSecondsAfterFinished !== undefined)
              // Flux applies what is missing at every reconcile; Argo CD at the self-heal that a
              // missing object sets off, which applies the drifted objects and skips hooks
              .filter(
                (o) =>
                  plan.engine === 'flux' ||
                  argoCdSelfHeal(m.objects, (x) => sameObject(keyOf(x), keyOf(o))).steps.some((t) =>
                    t.objects.some((x) => sameObject(keyOf(x), keyOf(o))),
                  ),
              )
              .map((o) => ({
                rule: 'job-rerun',
                object: objectRef(o),
                message:
                  plan.engine === 'flux'
                    ? 'flux: ttlSecondsAfterFinished deletes the finished Job, and flux applies it again at the next reconcile: the migration would run again'
                    : 'argocd: ttlSecondsAfterFinished deletes the finished Job, and the self-heal that follows applies it again (a self-heal skips hooks, not plain objects): the migration would run again; allowed: the Job as a hook',
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
    unprotected(
      m.objects,
      'Namespace',
      'namespace-protected',
      'the namespace, and the Secret, TLS secret and volumes in it',
    ),
  ),

  rule('claim-protected', 'a PersistentVolumeClaim of the output survives prune and application deletion', (m) =>
    unprotected(
      m.objects,
      'PersistentVolumeClaim',
      'claim-protected',
      'the claim, and with the default Delete reclaim policy the volume and every file on it',
    ),
  ),

  rule(
    'claim-binding',
    'no engine waits for a PersistentVolumeClaim to bind before it applies the pods that mount it',
    (m) =>
      m.plans.flatMap((plan) => {
        const at = stepIndex(plan);
        return m.objects
          .filter((o) => o.kind === 'PersistentVolumeClaim')
          .flatMap((claim) => {
            const i = at(keyOf(claim));
            if (i === undefined) return [];
            return m.objects
              .filter((o) => referencesOf(o, m.objects).some((r) => sameObject(r, keyOf(claim))))
              .flatMap((user) => {
                const j = at(keyOf(user));
                if (j === undefined || j === i || !readyBefore(plan, i, claim, j)) return [];
                return [
                  {
                    rule: 'claim-binding',
                    object: objectRef(claim),
                    message: `${plan.engine}: "${plan.steps[i].name}" waits for the claim to be Bound before "${plan.steps[j].name}" applies ${objectRef(user)}, which mounts it: a StorageClass with volumeBindingMode WaitForFirstConsumer binds it only once such a pod is scheduled, so the claim stays Pending and the sync never goes on; allowed: the claim in the step of the pods that mount it`,
                  },
                ];
              });
          });
      }),
  ),
];

/** objects of `kind` that Argo CD or Flux would prune or delete with the application */
function unprotected(objects: readonly Manifest[], kind: string, id: string, loss: string) {
  return objects
    .filter((o) => o.kind === kind)
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
              rule: id,
              object: objectRef(o),
              message: `missing ${missing.join(', ')}: pruning or deleting the application would delete ${loss}`,
            },
          ];
    });
}
