/**
 * Where each environment is in the GitOps repository, and the engines' objects for it: an Argo CD
 * Application for the whole of dist/<env>, and one Flux Kustomization per stage, the app's
 * depending on the migration's. They go to dist/<env>/delivery/, which no kustomization lists.
 */
import type { DeliveryConfig, EnvironmentConfig } from '../config';
import { argoCdApplication, fluxKustomizations } from '../constructs/gitops';
import { RELOADER_LAST_RELOADED } from '../constructs/annotations';
import type { StageName } from '../delivery/stages';
import type { KubeObject } from '../kube-object';
import { APP_NAME, MANAGED_BY, PART_OF, selectorLabels } from './labels';

/** the folder of an environment (or one of its stages) in the GitOps repository */
export function repoPath(delivery: DeliveryConfig, environment: string, stage?: StageName): string {
  return [delivery.root, environment, ...(stage ? [stage] : [])].join('/');
}

export function argoCdApplicationName(environment: string): string {
  return `${APP_NAME}-${environment}`;
}

/**
 * How soon Flux tries a failed reconcile again, instead of waiting the whole interval. A Failed
 * Job of an unchanged name stays Failed at every retry: that one needs the runbook.
 */
export const FLUX_RETRY_INTERVAL = '2m';

/**
 * The most steps a rollout takes: the most replicas over the pods replaced per step (maxSurge +
 * maxUnavailable). Each step may take up to progressDeadlineSeconds and still succeed.
 */
export function rolloutSteps(config: EnvironmentConfig): number {
  const { app } = config;
  const pods = app.autoscaling?.maxReplicas ?? app.replicas ?? 1;
  return Math.ceil(pods / (app.rollingUpdate.maxSurge + app.rollingUpdate.maxUnavailable));
}

export function fluxKustomizationName(environment: string, stage: StageName): string {
  return stage === 'app' ? `${APP_NAME}-${environment}` : `${APP_NAME}-${environment}-${stage}`;
}

/** the delivery objects of an environment whose stages are known */
export function deliveryObjects(config: EnvironmentConfig, stages: readonly StageName[]): KubeObject[] {
  const { delivery } = config;
  const application = argoCdApplication({
    name: argoCdApplicationName(config.name),
    namespace: delivery.argocd.namespace,
    project: delivery.argocd.project,
    repoURL: delivery.repoURL,
    revision: delivery.revision,
    path: repoPath(delivery, config.name),
    server: delivery.argocd.server,
    destinationNamespace: config.namespace,
    externalSecrets: config.secrets.externalSecret !== undefined,
    ignoredPodAnnotations: config.secrets.reload === 'stakater' ? [RELOADER_LAST_RELOADED] : undefined,
    labels: {
      'app.kubernetes.io/name': APP_NAME,
      'app.kubernetes.io/instance': argoCdApplicationName(config.name),
      'app.kubernetes.io/part-of': PART_OF,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    },
  });
  const kustomizations = fluxKustomizations({
    namespace: delivery.flux.namespace,
    interval: delivery.flux.interval,
    sourceName: delivery.flux.sourceName,
    retryInterval: FLUX_RETRY_INTERVAL,
    serviceAccountName: delivery.flux.serviceAccountName,
    stages: stages.map((stage) => ({
      name: fluxKustomizationName(config.name, stage),
      path: repoPath(delivery, config.name, stage),
      deadlineSeconds:
        stage === 'migration'
          ? config.migration.activeDeadlineSeconds
          : config.app.progressDeadlineSeconds * rolloutSteps(config),
      keepFinishedJobs: stage === 'migration' ? selectorLabels(config, 'migration') : undefined,
    })),
  });
  return [application, ...kustomizations] as unknown as KubeObject[];
}
