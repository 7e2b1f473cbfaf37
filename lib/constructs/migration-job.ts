/**
 * A one-off Job that runs before the app's rollout, such as a database migration: an Argo CD Sync
 * hook in a wave of its own, recreated by Flux rather than patched, named from the content of
 * what it runs. Its ServiceAccount is a plain object applied in an earlier wave (hooks are never
 * pruned).
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { contentHash } from '../determinism';
import { ARGOCD_HOOK, ARGOCD_HOOK_DELETE_POLICY, FLUX_FORCE, SYNC_WAVE } from './annotations';
import { emptyDirSizes, hardenedContainer, type HardenedContainerProps, type VolumeProps } from './hardened-container';
import { hardenedPodSpec } from './pod-spec';
import type { SchedulingProps } from './scheduling';

export interface MigrationJobProps extends SchedulingProps {
  /** the ServiceAccount's name */
  readonly serviceAccountName: string;
  /**
   * the Job is named `<jobNamePrefix>-<hash of its pod template>`: a new image, command or env
   * gives a new name, since a Job's template is immutable
   */
  readonly jobNamePrefix: string;
  readonly namespace: string;
  /** labels of the ServiceAccount */
  readonly labels: Readonly<Record<string, string>>;
  /** labels of the Job and its pods, e.g. `labels` with a version @default labels */
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly container: Omit<HardenedContainerProps, 'volumeMounts' | 'emptyDirSizes'>;
  /** volumes besides /tmp, mounted into the container @default none */
  readonly volumes?: readonly VolumeProps[];
  /** @default none */
  readonly imagePullSecrets?: readonly string[];
  /**
   * retries before the Job fails; a pod the cluster disrupted (drain, preemption, eviction) is
   * retried without counting (a pod failure policy) @default 0
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-failure-policy
   */
  readonly backoffLimit?: number;
  /** how long the Job may run, in seconds @default 600 */
  readonly activeDeadlineSeconds?: number;
  /** when the finished Job is removed, in seconds @default kept */
  readonly ttlSecondsAfterFinished?: number;
  /** the Argo CD wave of the ServiceAccount, before the Job's @default -2 */
  readonly serviceAccountSyncWave?: number;
  /** the Argo CD wave of the Job, before the app's (0) @default -1 */
  readonly syncWave?: number;
}

export class MigrationJob extends Construct {
  public readonly jobName: string;
  public readonly job: ApiObject;
  public readonly serviceAccount: ApiObject;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const { namespace, labels } = props;
    const podLabels = props.podLabels ?? labels;
    const serviceAccountWave = props.serviceAccountSyncWave ?? -2;
    const wave = props.syncWave ?? -1;
    if (serviceAccountWave >= wave)
      throw new Error(
        `migration job "${props.jobNamePrefix}": serviceAccountSyncWave got ${serviceAccountWave}; allowed: a wave before syncWave (${wave})`,
      );
    const volumes = props.volumes ?? [];

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: props.serviceAccountName,
        namespace,
        labels: { ...labels },
        annotations: { [SYNC_WAVE]: String(serviceAccountWave) },
      },
      automountServiceAccountToken: false,
    });

    const template: k8s.PodTemplateSpec = {
      metadata: { labels: { ...podLabels } },
      spec: hardenedPodSpec({
        serviceAccountName: props.serviceAccountName,
        identity: props.container,
        restartPolicy: 'Never',
        nodeSelector: props.nodeSelector,
        tolerations: props.tolerations,
        affinity: props.affinity,
        imagePullSecrets: props.imagePullSecrets,
        containers: [
          hardenedContainer({
            ...props.container,
            volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
            emptyDirSizes: emptyDirSizes(volumes),
          }),
        ],
        volumes,
        tmpSizeLimit: props.container.tmpSizeLimit,
        where: `migration job "${props.jobNamePrefix}"`,
      }),
    };
    this.jobName = `${props.jobNamePrefix}-${contentHash(template).slice(0, 10)}`;

    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: {
        name: this.jobName,
        namespace,
        labels: { ...podLabels },
        annotations: {
          // Argo CD: a Sync hook, so it runs after the wave that holds what it needs and before
          // the app's wave; a failure stops the sync. Hooks are not pruned: the previous run of
          // the same name goes when the hook is created again, other names at their TTL
          [ARGOCD_HOOK]: 'Sync',
          [ARGOCD_HOOK_DELETE_POLICY]: 'BeforeHookCreation',
          [SYNC_WAVE]: String(wave),
          // Flux: recreate rather than patch if a spec ever changes under the same name
          [FLUX_FORCE]: 'enabled',
        },
      },
      spec: {
        backoffLimit: props.backoffLimit ?? 0,
        // a pod the cluster took away (a node drain, a preemption, an eviction: the DisruptionTarget
        // condition) is retried without using up backoffLimit, which is left for the run's own
        // failures; activeDeadlineSeconds still bounds the whole Job
        podFailurePolicy: {
          rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
        },
        activeDeadlineSeconds: props.activeDeadlineSeconds ?? 600,
        ttlSecondsAfterFinished: props.ttlSecondsAfterFinished,
        template,
      },
    });
  }
}
