/**
 * House rules over an environment's objects taken together: accounts, network policies,
 * availability, Job bounds, the Namespace, and whether the objects find each other.
 */
import { sameSettingGroups } from '../backend-settings';
import {
  cidrProblem,
  contains,
  GOOGLE_FRONT_END_RANGES,
  isTrustedIngressSource,
  parseCidr,
  PRIVATE_RANGES,
} from '../cidr';
import { ENFORCED_POD_SECURITY_VERSION } from './pss-versions';
import { isEmptySelector, labelSelectorMatches, serviceSelectorMatches } from '../label-selector';
import { containerEnv, containersOf, podTemplates } from './pods';
import { setRule, show } from './rule';
import { objectRef, type Manifest, type Rule, type Violation } from './types';

/** the violations of one rule, collected with a short call per finding */
function collector(rule: string): [Violation[], (object: string, message: string, container?: string) => void] {
  const out: Violation[] = [];
  const add = (object: string, message: string, container?: string) =>
    out.push({ rule, object, message, ...(container ? { container } : {}) });
  return [out, add];
}

const sameNamespace = (a: Manifest, b: Manifest) => a.metadata?.namespace === b.metadata?.namespace;

export const ENVIRONMENT_RULES: readonly Rule[] = [
  setRule(
    'service-account',
    'hardening',
    'a dedicated ServiceAccount, with automountServiceAccountToken: false',
    (manifests) => {
      const [out, v] = collector('service-account');
      for (const pod of podTemplates(manifests)) {
        const name = pod.spec.serviceAccountName;
        if (!name || name === 'default') {
          v(pod.ref, `serviceAccountName must name a dedicated ServiceAccount (got ${show(name)})`);
        } else if (
          !manifests.some(
            (m) => m.kind === 'ServiceAccount' && m.metadata?.name === name && sameNamespace(m, pod.owner),
          )
        ) {
          v(pod.ref, `ServiceAccount "${name}" is not part of the output`);
        }
        const automount = pod.spec.automountServiceAccountToken;
        if (automount !== false) v(pod.ref, `automountServiceAccountToken must be false (got ${show(automount)})`);
      }
      for (const m of manifests.filter((x) => x.kind === 'ServiceAccount')) {
        const automount = m.automountServiceAccountToken;
        if (automount !== false) v(objectRef(m), `automountServiceAccountToken must be false (got ${show(automount)})`);
      }
      return out;
    },
  ),

  setRule(
    'network',
    'hardening',
    'default-deny NetworkPolicy, narrow ingress, egress only to listed peers and ports',
    (manifests, ctx) => {
      const [out, v] = collector('network');
      const policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
      // podSelector {} selects every pod; a missing podSelector is not a deny-all
      const selectsAll = (p: Manifest) =>
        p.spec?.podSelector !== undefined && Object.keys(p.spec.podSelector).length === 0;
      const deniesAll = (p: Manifest) =>
        selectsAll(p) &&
        !p.spec?.ingress?.length &&
        !p.spec?.egress?.length &&
        ['Ingress', 'Egress'].every((t) => (p.spec?.policyTypes ?? []).includes(t));
      for (const ns of new Set(podTemplates(manifests).map((p) => p.owner.metadata?.namespace))) {
        if (!policies.some((p) => p.metadata?.namespace === ns && deniesAll(p))) {
          v(
            `Namespace/${ns}`,
            'needs a default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)',
          );
        }
      }
      for (const p of policies) {
        const directions = [
          ['ingress', p.spec?.ingress, 'from'],
          ['egress', p.spec?.egress, 'to'],
        ] as const;
        for (const [kind, rules, peers] of directions) {
          (rules ?? []).forEach((r: any, i: number) => {
            if (!r[peers]?.length) v(objectRef(p), `${kind}[${i}] has no ${peers}: it allows every peer`);
            if (!r.ports?.length) v(objectRef(p), `${kind}[${i}] has no ports: it allows every port`);
            for (const peer of r[peers] ?? []) {
              const cidr = peer.ipBlock?.cidr;
              if (cidr === undefined) continue;
              const problem = cidrProblem(String(cidr));
              const range = parseCidr(String(cidr));
              if (problem) v(objectRef(p), `${kind}[${i}] ipBlock ${show(cidr)}: ${problem}`);
              else if (kind === 'ingress' && ctx.production && range && !isTrustedIngressSource(range)) {
                v(
                  objectRef(p),
                  `${kind}[${i}] admits ${show(cidr)} in production, outside the private ranges ${PRIVATE_RANGES.join(', ')} and Google's front ends ${GOOGLE_FRONT_END_RANGES.join(', ')}`,
                );
              }
              // except: read as addresses too, and a strict subset of the block, as the API server requires
              for (const hole of peer.ipBlock?.except ?? []) {
                const holeProblem = cidrProblem(String(hole));
                const inner = parseCidr(String(hole));
                if (holeProblem) v(objectRef(p), `${kind}[${i}] ipBlock except ${show(hole)}: ${holeProblem}`);
                else if (range && inner && !(contains(range, inner) && inner.prefix > range.prefix))
                  v(objectRef(p), `${kind}[${i}] ipBlock except ${show(hole)} is not a strict subset of ${show(cidr)}`);
              }
            }
          });
        }
      }
      // an allow in opens a path only to pods that serve on that port: a worker or a cron job
      // declares none, so no ingress allow may select it
      for (const p of policies) {
        (p.spec?.ingress ?? []).forEach((r: any, i: number) => {
          for (const pod of podTemplates(manifests)) {
            if (!sameNamespace(p, pod.owner) || !labelSelectorMatches(p.spec?.podSelector ?? {}, pod.metadata.labels))
              continue;
            const declared = containersOf(pod).flatMap(({ container }) => container.ports ?? []);
            for (const port of r.ports ?? []) {
              const serves = declared.some((d: any) =>
                typeof port.port === 'string' ? d.name === port.port : d.containerPort === port.port,
              );
              if (!serves)
                v(
                  objectRef(p),
                  `ingress[${i}] admits ${port.protocol ?? 'TCP'} ${port.port} to the pods of ${pod.ref}, which declare no such port: nothing may reach them`,
                );
            }
          }
        });
      }
      for (const pod of podTemplates(manifests)) {
        const egress = policies.some(
          (p) =>
            sameNamespace(p, pod.owner) &&
            (p.spec?.policyTypes ?? []).includes('Egress') &&
            (p.spec?.egress?.length ?? 0) > 0 &&
            // podSelector is not optional: a missing one is {}, every pod
            labelSelectorMatches(p.spec?.podSelector ?? {}, pod.metadata.labels),
        );
        if (!egress) {
          v(
            pod.ref,
            'no NetworkPolicy allows its egress (DNS and the database): ' +
              'it could reach nothing, or the policy is missing',
          );
        }
      }
      return out;
    },
  ),

  setRule(
    'availability',
    'hardening',
    'in production: 2+ replicas or an HPA, a PodDisruptionBudget that selects the pods, spread over nodes/zones',
    (manifests, ctx) => {
      const [out, v] = collector('availability');
      for (const d of manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')) {
        const labels = d.spec?.template?.metadata?.labels;
        const hpa = manifests.find(
          (m) =>
            m.kind === 'HorizontalPodAutoscaler' &&
            sameNamespace(m, d) &&
            m.spec?.scaleTargetRef?.kind === d.kind &&
            m.spec?.scaleTargetRef?.name === d.metadata?.name,
        );
        const pdb = manifests.some(
          (m) =>
            m.kind === 'PodDisruptionBudget' && sameNamespace(m, d) && labelSelectorMatches(m.spec?.selector, labels),
        );
        const spec = d.spec?.template?.spec ?? {};
        const spread =
          (spec.topologySpreadConstraints ?? []).length > 0 || spec.affinity?.podAntiAffinity !== undefined;
        if (ctx.production) {
          const min = hpa ? (hpa.spec?.minReplicas ?? 1) : (d.spec?.replicas ?? 1);
          const got = `${min}${hpa ? ' as HPA minReplicas' : ''}`;
          if (min < 2) v(objectRef(d), `needs at least 2 replicas in production (got ${got})`);
          if (!pdb) v(objectRef(d), 'needs a PodDisruptionBudget that selects its pods in production');
        }
        if (!spread) {
          v(objectRef(d), 'needs topologySpreadConstraints (or pod anti-affinity) to spread over nodes and zones');
        }
      }
      return out;
    },
  ),

  setRule(
    'job-bounds',
    'hardening',
    'Jobs set backoffLimit, activeDeadlineSeconds and ttlSecondsAfterFinished (or a hook delete policy); ' +
      "a CronJob's Jobs backoffLimit and activeDeadlineSeconds, and the CronJob its history limits",
    (manifests) => [
      ...manifests
        .filter((m) => m.kind === 'CronJob')
        .flatMap((cron) => {
          const s = cron.spec ?? {};
          const job = s.jobTemplate?.spec ?? {};
          // a CronJob's finished Jobs are kept to its history limits, which have defaults (3 and 1)
          // the API server fills in: set here, they are read in the output
          const missing = [
            ...['backoffLimit', 'activeDeadlineSeconds']
              .filter((f) => job[f] === undefined)
              .map((f) => `jobTemplate.spec.${f}`),
            ...['successfulJobsHistoryLimit', 'failedJobsHistoryLimit'].filter((f) => s[f] === undefined),
          ];
          if (missing.length === 0) return [];
          const message = `must set ${missing.join(', ')}: an unbounded run can hang or retry until the next one is due`;
          return [{ rule: 'job-bounds', object: objectRef(cron), message }];
        }),
      ...manifests
        .filter((m) => m.kind === 'Job')
        .flatMap((job) => {
          const s = job.spec ?? {};
          const missing = ['backoffLimit', 'activeDeadlineSeconds'].filter((f) => s[f] === undefined);
          const annotations = job.metadata?.annotations ?? {};
          const deletedByHook =
            annotations['argocd.argoproj.io/hook-delete-policy'] || annotations['helm.sh/hook-delete-policy'];
          if (s.ttlSecondsAfterFinished === undefined && !deletedByHook) missing.push('ttlSecondsAfterFinished');
          if (missing.length === 0) return [];
          const message = `must set ${missing.join(', ')}: an unbounded Job can hang or pile up forever`;
          return [{ rule: 'job-bounds', object: objectRef(job), message }];
        }),
    ],
  ),

  setRule(
    'namespace-restricted',
    'hardening',
    'each namespace used is in the output and labelled pod-security.kubernetes.io/enforce: restricted, ' +
      'at the version the policy evaluates',
    (manifests, ctx) => {
      const [out, v] = collector('namespace-restricted');
      const version = ctx.podSecurityVersion ?? ENFORCED_POD_SECURITY_VERSION;
      for (const ns of new Set(manifests.map((m) => m.metadata?.namespace).filter((n): n is string => !!n))) {
        const obj = manifests.find((m) => m.kind === 'Namespace' && m.metadata?.name === ns);
        if (!obj) {
          v(`Namespace/${ns}`, 'is used but not part of the output');
          continue;
        }
        const labels = obj.metadata?.labels ?? {};
        const level = labels['pod-security.kubernetes.io/enforce'];
        if (level !== 'restricted') {
          v(objectRef(obj), `label pod-security.kubernetes.io/enforce must be "restricted" (got ${show(level)})`);
        }
        // the cluster evaluates the pods at this version: the policy must evaluate the same one
        const enforced = labels['pod-security.kubernetes.io/enforce-version'];
        if (enforced !== version) {
          v(
            objectRef(obj),
            `label pod-security.kubernetes.io/enforce-version must be "${version}", ` +
              `the version the policy evaluates (got ${show(enforced)})`,
          );
        }
      }
      return out;
    },
  ),

  setRule(
    'consistency',
    'hardening',
    'selectors match template labels, every Service and ServiceMonitor selects something, ' +
      'no duplicate env names (in any case, envFrom included)',
    (manifests) => {
      const [out, v] = collector('consistency');
      const pods = podTemplates(manifests);
      const selectsPod = (m: Manifest, matches: (labels: any) => boolean, longRunningOnly: boolean) =>
        pods.some(
          (p) => sameNamespace(p.owner, m) && (p.longRunning || !longRunningOnly) && matches(p.metadata.labels),
        );
      for (const m of manifests) {
        const selector = m.spec?.selector?.matchLabels;
        const templated = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(m.kind ?? '');
        // apps/v1 refuses an empty selector on a workload, though {} selects everything elsewhere
        if (
          templated &&
          (isEmptySelector(m.spec?.selector) ||
            !labelSelectorMatches(m.spec?.selector, m.spec?.template?.metadata?.labels))
        ) {
          v(objectRef(m), `spec.selector ${show(selector)} does not match the template labels`);
        }
        if (
          m.kind === 'Service' &&
          m.spec?.type !== 'ExternalName' &&
          !selectsPod(m, (l) => serviceSelectorMatches(m.spec?.selector, l), true)
        ) {
          v(objectRef(m), `selector ${show(m.spec?.selector)} selects no pod template in the output`);
        }
        if (
          m.kind === 'PodDisruptionBudget' &&
          !selectsPod(m, (l) => labelSelectorMatches(m.spec?.selector, l), false)
        ) {
          v(objectRef(m), `selector ${show(selector)} selects no pod template in the output`);
        }
        // a ServiceMonitor that selects no Service scrapes nothing, and says so nowhere
        if (
          m.kind === 'ServiceMonitor' &&
          !manifests.some(
            (t) =>
              t.kind === 'Service' &&
              sameNamespace(t, m) &&
              labelSelectorMatches(m.spec?.selector ?? {}, t.metadata?.labels),
          )
        ) {
          v(objectRef(m), `selector ${show(selector)} selects no Service in the output`);
        }
        const ref = m.spec?.scaleTargetRef ?? {};
        if (
          m.kind === 'HorizontalPodAutoscaler' &&
          !manifests.some((t) => t.kind === ref.kind && t.metadata?.name === ref.name && sameNamespace(t, m))
        ) {
          v(objectRef(m), `scaleTargetRef ${ref.kind}/${ref.name} is not part of the output`);
        }
      }
      // the backend reads its settings in any case: REVIEWPOINT_X and reviewpoint_x are one setting
      for (const pod of pods) {
        for (const { container } of containersOf(pod)) {
          const names = containerEnv(container, pod.owner, manifests).map((e) => e.name);
          for (const group of sameSettingGroups(names)) {
            const spelled = [...new Set(group)].join(', ');
            v(
              pod.ref,
              `duplicate env names ${spelled} (names read in any case): only one takes effect`,
              container.name,
            );
          }
        }
      }
      return out;
    },
  ),
];
