/**
 * Names and the app.kubernetes.io recommended labels.
 *
 * Object names are fixed strings, never derived from construct paths, and selectors use only
 * the stable labels (name, instance, component): renaming a construct or bumping a version
 * can never touch an immutable selector.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
import { labelValue } from '../api-server';
import { CRON_JOB_NAME_LIMIT } from '../constructs/cron-schedule';
import type { EnvironmentConfig, ImageConfig } from '../config/schema';
import { contentHash } from '../determinism';

export const APP_NAME = 'reviewpoint-backend';
export const PART_OF = 'reviewpoint';
export const HTTP_PORT = 8000;
/** Prometheus text with no auth, no feature flag and no database query: probes and scrapes */
export const METRICS_PATH = '/api/v1/metrics';
/** the paths the Ingress and the route keep from the internet: the metrics, unless `metrics.public` */
export const edgeBlockedPaths = (config: Pick<EnvironmentConfig, 'metrics'>): string[] =>
  config.metrics.public ? [] : [METRICS_PATH];
/** the migration's ServiceAccount */
export const MIGRATION_NAME = `${APP_NAME}-migration`;
/** app.kubernetes.io/managed-by of every object the synth writes */
export const MANAGED_BY = 'cdk8s';

/** the component label of a worker's or a cron job's pods: never the app's, so no selector overlaps */
export type Component = 'api' | 'migration' | `worker-${string}` | `cron-${string}`;

/** a worker's Deployment and ServiceAccount */
export const workerName = (name: string) => `${APP_NAME}-worker-${name}`;
/** a cron job's CronJob and ServiceAccount */
export const cronJobName = (name: string) => `${APP_NAME}-cron-${name}`;
/** the longest worker name whose Deployment name is a DNS label (63 characters) */
export const WORKER_NAME_MAX = 63 - workerName('').length;
/** the longest cron job name the API server takes: a CronJob's name leaves room for its Jobs' */
export const CRON_NAME_MAX = CRON_JOB_NAME_LIMIT - cronJobName('').length;

/** labels that select pods: stable for the life of the Deployment */
export function selectorLabels(config: EnvironmentConfig, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/instance': `${APP_NAME}-${config.name}`,
    'app.kubernetes.io/component': component,
  };
}

/**
 * The labels of the objects that belong to the whole instance rather than one component: the
 * Namespace, the NetworkPolicies (the default deny and the egress cover every pod of the
 * instance), the ExternalSecret whose Secret every component reads. A component label there
 * would make `-l app.kubernetes.io/component=api` list them with the app's objects.
 */
export function instanceLabels(config: EnvironmentConfig): Record<string, string> {
  const { 'app.kubernetes.io/component': _component, ...labels } = recommendedLabels(config, 'api');
  return labels;
}

/**
 * every recommended label: selector labels plus ownership, and the version when `image` is given.
 * Pass the image only for the objects that run it (the Deployment, the Job, their pod
 * templates): anywhere else the label turns an image bump into a change of unrelated objects.
 */
export function recommendedLabels(
  config: EnvironmentConfig,
  component: Component,
  image?: ImageConfig,
): Record<string, string> {
  const version = image && versionLabel(image);
  return {
    ...selectorLabels(config, component),
    ...(version ? { 'app.kubernetes.io/version': version } : {}),
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/**
 * The app.kubernetes.io/version label of an image: its tag, or the start of its digest. A tag may
 * be 128 characters long and start with "_" or end with "." or "-"; a label value may not (63,
 * alphanumeric at both ends). Such a tag keeps a readable head and a hash of the whole tag, so two
 * tags never share a label.
 */
export function versionLabel(image: ImageConfig): string | undefined {
  const version = image.tag ?? image.digest?.slice('sha256:'.length, 'sha256:'.length + 12);
  if (version === undefined || labelValue(version) === undefined) return version;
  const head = version
    .slice(0, 52)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
  const hash = contentHash(version).slice(0, 10);
  return head ? `${head}-${hash}` : hash;
}
