/**
 * The objects that tell Argo CD and Flux where an environment is and how to apply it: an Argo CD
 * Application for the whole of dist/<env>, and one Flux Kustomization per stage, the app's
 * depending on the migration's. They live in the engines' own namespaces and go to
 * dist/<env>/delivery/, outside what the engines apply from dist/<env>.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { IKustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import type { DeliveryConfig } from '../config';
import { APP_NAME, MANAGED_BY, PART_OF } from '../labels';
import type { StageName } from './stages';

export interface DeliveryProps {
  /** the environment's name: folder dist/<env> and part of every object's name */
  readonly environment: string;
  /** the namespace the environment deploys to */
  readonly namespace: string;
  readonly delivery: DeliveryConfig;
  /** the stages the environment has, in apply order (dev: the app alone) */
  readonly stages: readonly StageName[];
  /** labels that select the migration Job, when there is one */
  readonly migrationJobLabels?: Readonly<Record<string, string>>;
  /** how long the migration may take: the Job's activeDeadlineSeconds */
  readonly migrationSeconds: number;
  /** how long a rollout step may go without progress: the Deployment's progressDeadlineSeconds */
  readonly rolloutSeconds: number;
  /**
   * how many steps a rollout takes at most: the most replicas over the pods replaced per step
   * (maxSurge + maxUnavailable). Each step may take up to rolloutSeconds and still succeed.
   * @default 1
   */
  readonly rolloutSteps?: number;
  /** the environment has an ExternalSecret, whose list items External Secrets fills in @default false */
  readonly externalSecret?: boolean;
}

/**
 * Fields External Secrets defaults inside spec.data[].remoteRef (older releases three, newer a
 * fourth). Defaults inside a list item of a custom resource show as a diff in Argo CD: the
 * Application would never report Synced, and self-heal would re-apply the ExternalSecret after
 * every refresh (a self-heal skips hooks, so the migration does not run; the sync loop is the harm).
 */
const EXTERNAL_SECRET_DEFAULTS = ['conversionStrategy', 'decodingStrategy', 'metadataPolicy', 'nullBytePolicy'];

/**
 * How soon Flux tries a failed reconcile again (an apply refused, a rollout that timed out),
 * instead of waiting the whole interval. A Failed Job of an unchanged name stays Failed at every
 * retry: that one needs the runbook.
 */
export const FLUX_RETRY_INTERVAL = '2m';

/** the folder of an environment (or one of its stages) in the GitOps repository */
export function repoPath(delivery: DeliveryConfig, environment: string, stage?: StageName): string {
  return [delivery.root, environment, ...(stage ? [stage] : [])].join('/');
}

export function argoCdApplicationName(environment: string): string {
  return `${APP_NAME}-${environment}`;
}

export function fluxKustomizationName(environment: string, stage: StageName): string {
  return stage === 'app' ? `${APP_NAME}-${environment}` : `${APP_NAME}-${environment}-${stage}`;
}

export function argoCdApplication(props: DeliveryProps): IApplication {
  const { delivery } = props;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: argoCdApplicationName(props.environment),
      namespace: delivery.argocd.namespace,
      labels: {
        'app.kubernetes.io/name': APP_NAME,
        'app.kubernetes.io/instance': argoCdApplicationName(props.environment),
        'app.kubernetes.io/part-of': PART_OF,
        'app.kubernetes.io/managed-by': MANAGED_BY,
      },
      // deleting the Application deletes what it deployed (the Namespace keeps Delete=false)
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: delivery.argocd.project,
      source: {
        repoURL: delivery.repoURL,
        targetRevision: delivery.revision,
        path: repoPath(delivery, props.environment),
      },
      destination: { server: delivery.argocd.server, namespace: props.namespace },
      ...(props.externalSecret
        ? {
            ignoreDifferences: [
              {
                group: 'external-secrets.io',
                kind: 'ExternalSecret',
                jqPathExpressions: EXTERNAL_SECRET_DEFAULTS.map((f) => `.spec.data[]?.remoteRef.${f}`),
              },
            ],
          }
        : {}),
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // a failed sync (a failed migration) is tried again, a few times, further apart
        retry: { limit: 3, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
      },
    },
  };
}

export function fluxKustomizations(props: DeliveryProps): IKustomization[] {
  const { delivery } = props;
  return props.stages.map((stage, i): IKustomization => {
    const migration = stage === 'migration';
    // activeDeadlineSeconds bounds the Job as a whole, every attempt and the wait for its Secret
    // included; progressDeadlineSeconds bounds one rollout step without progress
    const seconds = migration ? props.migrationSeconds : props.rolloutSeconds * (props.rolloutSteps ?? 1);
    return {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: fluxKustomizationName(props.environment, stage), namespace: delivery.flux.namespace },
      spec: {
        interval: delivery.flux.interval,
        retryInterval: FLUX_RETRY_INTERVAL,
        ...(delivery.flux.serviceAccountName ? { serviceAccountName: delivery.flux.serviceAccountName } : {}),
        sourceRef: { kind: 'GitRepository', name: delivery.flux.sourceName },
        path: `./${repoPath(delivery, props.environment, stage)}`,
        prune: true,
        // ready only when every object is: the Job completed, the Deployment rolled out; the next
        // stage's dependsOn waits for exactly that
        wait: true,
        // a minute more than the Job or the whole rollout may take, so their own deadline reports
        // first (Flux stops waiting at once on a Failed Job or a Deployment past its deadline)
        timeout: minutes(seconds + 60),
        ...(i > 0 ? { dependsOn: [{ name: fluxKustomizationName(props.environment, props.stages[i - 1]) }] } : {}),
        ...(migration
          ? {
              // no Kustomization-wide force: on an immutable-field conflict it would delete and
              // recreate the Namespace of this stage, and everything in it. The Job, whose
              // template is immutable, carries the per-object force annotation instead
              // Flux re-creates what disappears from the cluster: a Job removed by its TTL would
              // run the migration again at the next reconcile. Under Flux the finished Job stays
              // until a new one replaces it (prune)
              patches: props.migrationJobLabels
                ? [
                    {
                      target: { kind: 'Job', labelSelector: labelSelector(props.migrationJobLabels) },
                      patch: REMOVE_TTL,
                    },
                  ]
                : undefined,
            }
          : {}),
      },
    };
  });
}

/** a JSON 6902 patch, as Flux takes it: the migration Job without ttlSecondsAfterFinished */
export const REMOVE_TTL = '- op: remove\n  path: /spec/ttlSecondsAfterFinished\n';

function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function minutes(seconds: number): string {
  return `${Math.ceil(seconds / 60)}m`;
}
