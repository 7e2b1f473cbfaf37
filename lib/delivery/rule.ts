/**
 * What a delivery rule reads and how it is declared, and the small questions several rules ask:
 * in which step of an engine's plan is an object, is it a hook, what do its annotations list.
 */
import type { Manifest, Violation } from '../policy/types';
import type { Plan } from './model';
import { keyOf, providedBy, sameObject, type ObjectKey } from './references';
import { ARGOCD_HOOK } from './stages';

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
export interface DeliveryModel extends DeliveryInput {
  readonly objects: readonly Manifest[];
  readonly plans: readonly Plan[];
}

export interface DeliveryRule {
  readonly id: string;
  /** one line: what the rule requires */
  readonly description: string;
  check(model: DeliveryModel): Violation[];
}

export const rule = (id: string, description: string, check: (m: DeliveryModel) => Violation[]): DeliveryRule => ({
  id,
  description,
  check,
});

/** is `k` this object, or what it provides (an ExternalSecret's Secret)? */
export const isOrProvides = (o: Manifest, k: ObjectKey) =>
  sameObject(keyOf(o), k) || providedBy(o).some((p) => sameObject(p, k));

/** the step of each object in a plan, by object key; a provided object is in its provider's step */
export function stepIndex(plan: Plan): (k: ObjectKey) => number | undefined {
  return (k) => {
    const i = plan.steps.findIndex((s) => s.objects.some((o) => isOrProvides(o, k)));
    return i === -1 ? undefined : i;
  };
}

export const isHook = (o: Manifest) => o.metadata?.annotations?.[ARGOCD_HOOK] !== undefined;
export const annotationList = (o: Manifest, key: string) =>
  (o.metadata?.annotations?.[key] ?? '').split(',').map((s) => s.trim());
