/**
 * The rules of order: everything an object needs exists when it is applied, every engine applies
 * every object once, and the migration completes before the app rolls out.
 */
import { objectRef, type Violation } from '../policy/types';
import { DELIVERY_FOLDERS } from '../layout';
import { podTemplates } from '../policy/pods';
import { objectsIn, providedBefore, readyBefore } from './model';
import { keyOf, referencesOf, sameObject, showKey } from './references';
import { isHook, isOrProvides, rule, stepIndex, type DeliveryRule } from './rule';

export const ORDER_RULES: readonly DeliveryRule[] = [
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
          // another step only hurts when it starts after this object's step is done, and that
          // step waits for this object to be ready
          if (j !== i && readyBefore(plan, i, o, j)) {
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

  rule(
    'secret-arrival',
    'a Job that may start before the Secret an ExternalSecret creates exists has a deadline for that wait',
    (m) =>
      m.plans.flatMap((plan) => {
        const at = stepIndex(plan);
        return m.objects
          .filter((o) => o.kind === 'Job' && o.spec?.activeDeadlineSeconds === undefined)
          .flatMap((job) => {
            const i = at(keyOf(job));
            if (i === undefined) return [];
            return referencesOf(job, m.objects).flatMap((r): Violation[] => {
              const source = m.objects.find((x) => !sameObject(keyOf(x), r) && isOrProvides(x, r));
              const j = at(r);
              if (!source || j === undefined || providedBefore(plan, j, source, i)) return [];
              const how =
                i === j
                  ? `both in "${plan.steps[i].name}"`
                  : `"${plan.steps[j].name}", which "${plan.steps[i].name}" does not wait for`;
              return [
                {
                  rule: 'secret-arrival',
                  object: objectRef(job),
                  message: `${plan.engine}: ${r.field} needs ${showKey(r)}, created by ${objectRef(source)} (${how}): the Secret may not exist when the pod starts (Flux applies one batch and kstatus calls a fresh ExternalSecret Current), so the pod waits in CreateContainerConfigError, and with no activeDeadlineSeconds a store that never answers holds the Job forever; allowed: activeDeadlineSeconds set`,
                },
              ];
            });
          });
      }),
  ),

  rule('migration-first', 'under every engine, the migration Job completes before any other workload starts', (m) =>
    m.plans.flatMap((plan) => {
      const at = stepIndex(plan);
      const jobs = m.objects.filter((o) => o.kind === 'Job');
      // every other owner of a pod template (Deployments, CronJobs, ...) runs code that expects
      // the migrated schema
      const workloads = podTemplates(m.objects)
        .map((p) => p.owner)
        .filter((o) => o.kind !== 'Job');
      return jobs.flatMap((job) =>
        workloads.flatMap((d): Violation[] => {
          const j = at(keyOf(job));
          const k = at(keyOf(d));
          if (j === undefined || k === undefined) return [];
          if (readyBefore(plan, j, job, k)) return [];
          return [
            {
              rule: 'migration-first',
              object: objectRef(job),
              message: `${plan.engine}: ${objectRef(d)} is applied in "${plan.steps[k].name}", which does not wait for this Job to complete: new pods would start before the schema is migrated`,
            },
          ];
        }),
      );
    }),
  ),
];
