/**
 * Which labels a selector selects, as Kubernetes reads it. One matcher for every reader (the
 * policy, the delivery model, the environment README), since each kind means something of its
 * own by an empty or a missing selector:
 *
 * - a LabelSelector (`{matchLabels, matchExpressions}`: NetworkPolicy podSelector and
 *   namespaceSelector, PodDisruptionBudget, ServiceMonitor, topology spread): an empty one, `{}`,
 *   selects everything; a missing (nil) one selects nothing, where the field is optional (a
 *   policy/v1 PodDisruptionBudget without a selector protects no pod);
 * - a Service's `spec.selector` (a plain map): empty or missing selects nothing, since the
 *   endpoints are then managed by someone else.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/
 */

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * Does a LabelSelector select these labels? `{}` selects every object, `undefined` (nil) none; an
 * unknown operator selects nothing (the API server refuses it).
 */
export function labelSelectorMatches(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  if (selector === undefined || selector === null) return false;
  const l = labels ?? {};
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => l[k] === v);
  return byLabel && (selector.matchExpressions ?? []).every((r) => requirementMatches(r, l));
}

/** `{}` or a selector whose parts are all empty: selects everything */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    selector !== undefined &&
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0
  );
}

/** Does a Service's selector select these labels? Empty or missing: nothing */
export function serviceSelectorMatches(selector: Labels | undefined, labels: Labels | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return labelSelectorMatches({ matchLabels: selector }, labels);
}

function requirementMatches(r: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(labels[r.key]);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(labels[r.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}
