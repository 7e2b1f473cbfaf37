/**
 * The order a first sync needs, in one place: what the migration needs, then the migration, then
 * the app. Argo CD reads it as sync waves (it finishes a wave, hooks included, before the next);
 * Flux reads it as two Kustomizations, the app's depending on the migration's; `kubectl apply -k`
 * applies everything at once and has no order to offer.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 * @see https://fluxcd.io/flux/use-cases/running-jobs/
 */
import type { ApiObject } from 'cdk8s';
import { SYNC_WAVE } from '../constructs/annotations';

export {
  ARGOCD_HOOK,
  ARGOCD_HOOK_DELETE_POLICY,
  ARGOCD_SYNC_OPTIONS,
  FLUX_FORCE,
  FLUX_PRUNE,
  SYNC_WAVE,
} from '../constructs/annotations';

/** Argo CD sync waves; the default wave is 0 */
export const WAVE = {
  /** the Namespace, the NetworkPolicies and the migration's ServiceAccount */
  beforeMigration: -2,
  /** the migration Job */
  migration: -1,
  /** everything else */
  app: 0,
} as const;

/** Flux stages, each a folder of dist/<env>/ with its own Kustomization, in apply order */
export type StageName = 'migration' | 'app';
export const STAGES: readonly StageName[] = ['migration', 'app'];

/** the Argo CD wave an object is applied in */
export function waveOf(metadata: { readonly annotations?: Record<string, string> } | undefined): number {
  const value = metadata?.annotations?.[SYNC_WAVE];
  return value === undefined ? 0 : Number(value);
}

/** Flux follows Argo CD: whatever Argo CD applies before wave 0 is the migration stage */
export function stageOf(metadata: { readonly annotations?: Record<string, string> } | undefined): StageName {
  return waveOf(metadata) < WAVE.app ? 'migration' : 'app';
}

/** objects the migration needs in the cluster before it starts */
export function applyBeforeMigration(...objects: ApiObject[]): void {
  for (const o of objects) o.metadata.addAnnotation(SYNC_WAVE, String(WAVE.beforeMigration));
}
