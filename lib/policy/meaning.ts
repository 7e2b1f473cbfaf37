/**
 * Rules that judge what a value means to whoever reads it: the backend's settings parser, the
 * ingress controller and the GitOps engines reading annotations, the cluster owning its
 * namespaces and priority classes. The same judgements the config rules make, on what is written.
 */
import { annotationFindings } from '../annotation-policy';
import { judgeSetting } from '../backend-settings';
import { reservedNamespace, reservedPriorityClass } from '../cluster-reserved';
import {
  ARGOCD_HOOK,
  ARGOCD_HOOK_DELETE_POLICY,
  ARGOCD_SYNC_OPTIONS,
  FLUX_FORCE,
  FLUX_PRUNE,
  SYNC_WAVE,
} from '../delivery/stages';
import { containerEnv, containersOf, podTemplates } from './pods';
import { setRule, show } from './rule';
import { objectRef, type Rule, type Violation } from './types';

/** the engines' annotations the synth writes, each read by the delivery check's model */
const MODELLED_ENGINE_KEYS: ReadonlySet<string> = new Set([
  SYNC_WAVE,
  ARGOCD_HOOK,
  ARGOCD_HOOK_DELETE_POLICY,
  ARGOCD_SYNC_OPTIONS,
  FLUX_PRUNE,
  FLUX_FORCE,
]);

// the phases the delivery model places a hook in: Skip, SyncFail and the delete hooks are never
// applied with the rest, and nothing in the delivery check notices an object that goes missing so
const HOOK_PHASES = ['PreSync', 'Sync', 'PostSync'];

/** a hook on anything but a Job, or in a phase the delivery model does not place */
function hookProblem(kind: string | undefined, hook: string | undefined): string | undefined {
  if (hook === undefined) return undefined;
  const phases = hook.split(',').map((h) => h.trim());
  if (kind === 'Job' && phases.every((h) => HOOK_PHASES.includes(h))) return undefined;
  return (
    `${ARGOCD_HOOK} ${show(hook)} on ${kind}: Argo CD applies a hook only in its phase and never tracks it as a resource` +
    ` (Skip: never applied); allowed: a ${HOOK_PHASES.join(', ')} hook on a Job`
  );
}

export const MEANING_RULES: readonly Rule[] = [
  setRule(
    'backend-settings',
    'hardening',
    'no test or debug switch of the backend in production, no loader variable anywhere, judged as the backend reads them',
    (manifests, ctx) => {
      const out: Violation[] = [];
      for (const pod of podTemplates(manifests)) {
        for (const { container } of containersOf(pod)) {
          for (const e of containerEnv(container, pod.owner, manifests)) {
            const finding = judgeSetting(e.name, e.value, ctx.production);
            if (!finding) continue;
            const value = e.value === undefined ? 'from a reference' : show(e.value);
            out.push({
              rule: 'backend-settings',
              object: pod.ref,
              container: container.name ?? '?',
              message: `env ${e.name} (${e.from}) is ${value}${finding.where}: ${finding.problem}; allowed: ${finding.allowed}`,
            });
          }
        }
      }
      return out;
    },
  ),

  setRule(
    'annotations',
    'hardening',
    'no controller snippet or alias, no engine control annotation the delivery check does not model, no credential',
    (manifests) => {
      const out: Violation[] = [];
      for (const m of manifests) {
        const maps: Array<[string, Record<string, string> | undefined]> = [
          ['metadata.annotations', m.metadata?.annotations],
          ...podTemplates([m]).map((p): [string, Record<string, string>] => [
            'spec.template.metadata.annotations',
            p.metadata.annotations,
          ]),
        ];
        for (const [field, annotations] of maps) {
          const hook = hookProblem(m.kind, annotations?.[ARGOCD_HOOK]);
          if (hook) out.push({ rule: 'annotations', object: objectRef(m), message: `${field} ${hook}` });
          // the size is the API server check's (api-annotations)
          for (const f of annotationFindings(annotations ?? {}, { engineKeys: MODELLED_ENGINE_KEYS })) {
            if (f.key === undefined) continue;
            out.push({
              rule: 'annotations',
              object: objectRef(m),
              message: `${field} ${f.key}: ${f.problem}; allowed: ${f.allowed}`,
            });
          }
        }
      }
      return out;
    },
  ),

  setRule(
    'cluster-owned',
    'hardening',
    'no namespace of the cluster or a GitOps engine (kube-*, default, argocd, flux-system), no system- priority class',
    (manifests) => {
      const out: Violation[] = [];
      const namespaces = new Set<string>();
      for (const m of manifests) {
        const ns = m.kind === 'Namespace' ? m.metadata?.name : m.metadata?.namespace;
        if (ns !== undefined) namespaces.add(ns);
      }
      for (const ns of namespaces) {
        const why = reservedNamespace(ns);
        if (why)
          out.push({ rule: 'cluster-owned', object: `Namespace/${ns}`, message: `the output must not own it: ${why}` });
      }
      for (const pod of podTemplates(manifests)) {
        const name = pod.spec.priorityClassName;
        const why = typeof name === 'string' ? reservedPriorityClass(name) : undefined;
        if (why)
          out.push({ rule: 'cluster-owned', object: pod.ref, message: `priorityClassName ${show(name)}: ${why}` });
      }
      return out;
    },
  ),
];
