/**
 * Where pods may run: nodeSelector, tolerations and affinity, in Kubernetes' own shapes, checked
 * as the API server checks them (pkg/apis/core/validation: validateTolerations, validateAffinity)
 * and by one house rule: no toleration that lets the pods onto every tainted node, or onto the
 * control plane.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
 */
import type * as k8s from 'cdk8s-plus-28/lib/imports/k8s';

export const TOLERATION_OPERATORS = ['Exists', 'Equal'] as const;
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;
export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/**
 * The taints of control-plane nodes: the API server and etcd run there, so an app pod that
 * tolerates them is one container escape away from the cluster's keys.
 */
export const CONTROL_PLANE_TAINTS: readonly string[] = [
  'node-role.kubernetes.io/control-plane',
  'node-role.kubernetes.io/master',
];

/** where pods may be scheduled */
export interface SchedulingProps {
  /** node labels every node of the pods must carry, e.g. `kubernetes.io/arch: arm64` @default any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** taints the pods tolerate, e.g. a spot pool's @default none */
  readonly tolerations?: readonly k8s.Toleration[];
  /** node affinity and pod (anti-)affinity, besides the spread over zones and nodes @default none */
  readonly affinity?: k8s.Affinity;
}

type Problem = readonly [field: string, problem: string];

/** every way a toleration is refused, each as [field within it, problem] */
export function tolerationProblems(t: k8s.Toleration): Problem[] {
  const out: Problem[] = [];
  const operator = t.operator ?? 'Equal';
  if (!(TOLERATION_OPERATORS as readonly string[]).includes(operator))
    out.push(['operator', `got ${JSON.stringify(t.operator)}; allowed: ${TOLERATION_OPERATORS.join(' or ')}`]);
  if (t.effect !== undefined && !(TAINT_EFFECTS as readonly string[]).includes(t.effect))
    out.push([
      'effect',
      `got ${JSON.stringify(t.effect)}; allowed: ${TAINT_EFFECTS.join(', ')}, or none for every effect`,
    ]);
  if (!t.key)
    out.push([
      'key',
      "missing: a toleration without a key tolerates every taint, the control plane's included; allowed: the key of the taint to tolerate",
    ]);
  else if (CONTROL_PLANE_TAINTS.includes(t.key))
    out.push([
      'key',
      `got ${JSON.stringify(t.key)}: it lets the pods onto control-plane nodes, where the API server and etcd run; allowed: the taint of a node pool for workloads`,
    ]);
  if (operator === 'Exists' && t.value !== undefined && t.value !== '')
    out.push(['value', `got ${JSON.stringify(t.value)} with operator Exists; allowed: no value (Exists matches any)`]);
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
    out.push([
      'tolerationSeconds',
      `got ${t.tolerationSeconds} with effect ${JSON.stringify(t.effect ?? '')}; allowed: only with effect NoExecute`,
    ]);
  return out;
}

function requirementProblems(
  r: { key: string; operator: string; values?: readonly string[] },
  numeric: boolean,
): Problem[] {
  const n = r.values?.length ?? 0;
  if (r.operator === 'In' || r.operator === 'NotIn')
    return n === 0 ? [['values', `missing with operator ${r.operator}; allowed: one or more values`]] : [];
  if (r.operator === 'Exists' || r.operator === 'DoesNotExist')
    return n > 0 ? [['values', `got ${JSON.stringify(r.values)} with operator ${r.operator}; allowed: none`]] : [];
  if (numeric && (r.operator === 'Gt' || r.operator === 'Lt'))
    return n !== 1 || !/^-?\d+$/.test(r.values![0])
      ? [['values', `got ${JSON.stringify(r.values)} with operator ${r.operator}; allowed: exactly one whole number`]]
      : [];
  const allowed = numeric ? NODE_SELECTOR_OPERATORS : LABEL_SELECTOR_OPERATORS;
  return [['operator', `got ${JSON.stringify(r.operator)}; allowed: ${allowed.join(', ')}`]];
}

function nodeTermProblems(term: k8s.NodeSelectorTerm): Problem[] {
  const out: Problem[] = [];
  (term.matchExpressions ?? []).forEach((r, i) =>
    out.push(...requirementProblems(r, true).map(([f, p]): Problem => [`matchExpressions.${i}.${f}`, p])),
  );
  (term.matchFields ?? []).forEach((r, i) => {
    // the API server allows one field, metadata.name, with In or NotIn and one value
    if (r.key !== 'metadata.name')
      out.push([`matchFields.${i}.key`, `got ${JSON.stringify(r.key)}; allowed: metadata.name`]);
    if ((r.operator !== 'In' && r.operator !== 'NotIn') || r.values?.length !== 1)
      out.push([`matchFields.${i}`, 'allowed: operator In or NotIn with exactly one value']);
  });
  if ((term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0)
    out.push(['', 'got an empty term, which matches no node; allowed: matchExpressions or matchFields']);
  return out;
}

function podTermProblems(term: k8s.PodAffinityTerm): Problem[] {
  const out: Problem[] = [];
  if (!term.topologyKey) out.push(['topologyKey', 'missing; allowed: a node label key, e.g. kubernetes.io/hostname']);
  for (const selector of ['labelSelector', 'namespaceSelector'] as const)
    (term[selector]?.matchExpressions ?? []).forEach((r, i) =>
      out.push(
        ...requirementProblems(r, false).map(([f, p]): Problem => [`${selector}.matchExpressions.${i}.${f}`, p]),
      ),
    );
  return out;
}

const weightProblem = (w: number): Problem[] =>
  Number.isInteger(w) && w >= 1 && w <= 100 ? [] : [['weight', `got ${w}; allowed: 1 to 100`]];

/** every way an affinity is refused, each as [field path within it, problem] */
export function affinityProblems(a: k8s.Affinity): Problem[] {
  const out: Problem[] = [];
  const under = (prefix: string, problems: Problem[]) =>
    out.push(...problems.map(([f, p]): Problem => [f ? `${prefix}.${f}` : prefix, p]));
  const node = a.nodeAffinity;
  const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';
  const PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution';
  if (node?.requiredDuringSchedulingIgnoredDuringExecution) {
    const terms = node.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    if (terms.length === 0)
      out.push([`nodeAffinity.${REQUIRED}.nodeSelectorTerms`, 'got []; allowed: at least one term']);
    terms.forEach((t, i) => under(`nodeAffinity.${REQUIRED}.nodeSelectorTerms.${i}`, nodeTermProblems(t)));
  }
  (node?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p, i) => {
    under(`nodeAffinity.${PREFERRED}.${i}`, weightProblem(p.weight));
    under(`nodeAffinity.${PREFERRED}.${i}.preference`, nodeTermProblems(p.preference));
  });
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    (a[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
      under(`${kind}.${REQUIRED}.${i}`, podTermProblems(t)),
    );
    (a[kind]?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p, i) => {
      under(`${kind}.${PREFERRED}.${i}`, weightProblem(p.weight));
      under(`${kind}.${PREFERRED}.${i}.podAffinityTerm`, podTermProblems(p.podAffinityTerm));
    });
  }
  return out;
}

/** @throws Error naming the field, the value and what is allowed, for the first problem */
export function validateScheduling(props: SchedulingProps, where: string): void {
  const problems: Problem[] = [
    ...(props.tolerations ?? []).flatMap((t, i) =>
      tolerationProblems(t).map(([f, p]): Problem => [`tolerations.${i}.${f}`, p]),
    ),
    ...(props.affinity ? affinityProblems(props.affinity).map(([f, p]): Problem => [`affinity.${f}`, p]) : []),
  ];
  if (problems.length > 0) throw new Error(`${where}: ${problems.map(([f, p]) => `${f}: ${p}`).join('; ')}`);
}

/** the pod spec's scheduling fields, each left out when empty */
export function schedulingSpec(props: SchedulingProps): Pick<k8s.PodSpec, 'nodeSelector' | 'tolerations' | 'affinity'> {
  const nodeSelector = props.nodeSelector ?? {};
  return {
    nodeSelector: Object.keys(nodeSelector).length > 0 ? { ...nodeSelector } : undefined,
    tolerations: props.tolerations && props.tolerations.length > 0 ? [...props.tolerations] : undefined,
    affinity: props.affinity && Object.keys(props.affinity).length > 0 ? props.affinity : undefined,
  };
}
