/**
 * A CronJob of one hardened container, with its own token-less ServiceAccount: runs that never
 * overlap unless asked, a deadline for each, and a short history.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { emptyDirSizes, hardenedContainer, type HardenedContainerProps, type VolumeProps } from './hardened-container';
import { CRON_DEFAULTS, CRON_JOB_NAME_LIMIT, cronScheduleProblem, timeZoneProblem } from './cron-schedule';
import { hardenedPodSpec } from './pod-spec';

export type ConcurrencyPolicy = 'Forbid' | 'Replace' | 'Allow';

export interface CronWorkloadProps {
  /** the name of the CronJob and its ServiceAccount; at most 52 characters (the Job names add 11) */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** labels of the CronJob, its Jobs and their pods, e.g. `labels` with a version @default labels */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** five cron fields (`30 2 * * *`) or a macro (`@daily`) */
  readonly schedule: string;
  /** an IANA time zone, e.g. `Europe/Berlin` @default the controller's, UTC on most clusters */
  readonly timeZone?: string;
  /** @default Forbid: a run still going when the next is due skips the next */
  readonly concurrencyPolicy?: ConcurrencyPolicy;
  /** how late a missed run may still start, in seconds @default 300 */
  readonly startingDeadlineSeconds?: number;
  /** how long one run may take, in seconds @default 3600 */
  readonly activeDeadlineSeconds?: number;
  /** retries of a failed run @default 0 */
  readonly backoffLimit?: number;
  /** @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** @default 1 */
  readonly failedJobsHistoryLimit?: number;
  readonly container: Omit<HardenedContainerProps, 'volumeMounts' | 'emptyDirSizes' | 'ports'>;
  /** volumes besides /tmp @default none */
  readonly volumes?: readonly VolumeProps[];
  /** @default none */
  readonly imagePullSecrets?: readonly string[];
  /** @default none */
  readonly priorityClassName?: string;
}

export class CronWorkload extends Construct {
  public readonly serviceAccount: ApiObject;
  public readonly cronJob: ApiObject;

  constructor(scope: Construct, id: string, props: CronWorkloadProps) {
    super(scope, id);
    const { name, namespace, labels } = props;
    const where = `cron job "${name}"`;
    if (name.length > CRON_JOB_NAME_LIMIT)
      throw new Error(
        `${where}: name got ${name.length} characters; allowed: at most ${CRON_JOB_NAME_LIMIT} (its Jobs add 11)`,
      );
    const scheduleProblem = cronScheduleProblem(props.schedule);
    if (scheduleProblem)
      throw new Error(`${where}: schedule got ${JSON.stringify(props.schedule)}; allowed: ${scheduleProblem}`);
    const zoneProblem = props.timeZone === undefined ? undefined : timeZoneProblem(props.timeZone);
    if (zoneProblem)
      throw new Error(`${where}: timeZone got ${JSON.stringify(props.timeZone)}; allowed: ${zoneProblem}`);
    const podLabels = props.podLabels ?? labels;
    const volumes = props.volumes ?? [];

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name, namespace, labels: { ...labels } },
      automountServiceAccountToken: false,
    });
    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name, namespace, labels: { ...podLabels } },
      spec: {
        schedule: props.schedule,
        timeZone: props.timeZone,
        concurrencyPolicy: props.concurrencyPolicy ?? CRON_DEFAULTS.concurrencyPolicy,
        startingDeadlineSeconds: props.startingDeadlineSeconds ?? CRON_DEFAULTS.startingDeadlineSeconds,
        successfulJobsHistoryLimit: props.successfulJobsHistoryLimit ?? CRON_DEFAULTS.successfulJobsHistoryLimit,
        failedJobsHistoryLimit: props.failedJobsHistoryLimit ?? CRON_DEFAULTS.failedJobsHistoryLimit,
        jobTemplate: {
          metadata: { labels: { ...podLabels } },
          spec: {
            backoffLimit: props.backoffLimit ?? CRON_DEFAULTS.backoffLimit,
            activeDeadlineSeconds: props.activeDeadlineSeconds ?? CRON_DEFAULTS.activeDeadlineSeconds,
            template: {
              metadata: { labels: { ...podLabels } },
              spec: hardenedPodSpec({
                serviceAccountName: name,
                identity: props.container,
                restartPolicy: 'Never',
                containers: [
                  hardenedContainer({
                    ...props.container,
                    volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
                    emptyDirSizes: emptyDirSizes(volumes),
                  }),
                ],
                volumes,
                tmpSizeLimit: props.container.tmpSizeLimit,
                priorityClassName: props.priorityClassName,
                imagePullSecrets: props.imagePullSecrets,
                where,
              }),
            },
          },
        },
      },
    });
  }
}
