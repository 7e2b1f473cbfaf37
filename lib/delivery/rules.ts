/**
 * The delivery rules: what must hold for a first sync, and every later one, to come up under
 * Argo CD, Flux and kubectl. Each reads the model of lib/delivery/model.ts; facts and sources in
 * README ("Deploying") and the gitops facts the project keeps.
 */
import type { Violation } from '../policy/types';
import { LIFECYCLE_RULES } from './lifecycle-rules';
import { kustomize, plans } from './model';
import { NETWORK_CLOSURE } from './network-closure';
import { ORDER_RULES } from './order-rules';
import type { DeliveryInput, DeliveryModel, DeliveryRule } from './rule';

export type { DeliveryInput, DeliveryRule } from './rule';

export const DELIVERY_RULES: readonly DeliveryRule[] = [...ORDER_RULES, ...LIFECYCLE_RULES, NETWORK_CLOSURE];

/** every delivery violation of one environment's output */
export function checkDelivery(input: DeliveryInput): Violation[] {
  let model: DeliveryModel;
  try {
    model = { ...input, objects: kustomize(input.files, ''), plans: plans(input.files, input.root) };
  } catch (e) {
    return [{ rule: 'delivery-coverage', object: 'kustomization.yaml', message: (e as Error).message }];
  }
  return DELIVERY_RULES.flatMap((r) => r.check(model));
}
