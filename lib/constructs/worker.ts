/**
 * A background worker: a Deployment of one hardened container that serves nothing (no Service,
 * no port), with its own token-less ServiceAccount, and optionally an autoscaler and a budget.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { Availability, type AutoscalingProps, type DisruptionBudgetProps } from './availability';
import { emptyDirSizes, hardenedContainer, type HardenedContainerProps, type VolumeProps } from './hardened-container';
import { hardenedPodSpec } from './pod-spec';

export interface WorkerProps {
  /** the name of the Deployment and its ServiceAccount */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** the labels that select the pods: a subset of `labels`, never changed once deployed */
  readonly selector: Readonly<Record<string, string>>;
  /** labels of the Deployment and its pods, e.g. `labels` with a version @default labels */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** pod annotations, e.g. a checksum of the settings so that a change rolls the pods @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  readonly container: Omit<
    HardenedContainerProps,
    'volumeMounts' | 'emptyDirSizes' | 'ports' | 'startupProbe' | 'readinessProbe' | 'livenessProbe'
  >;
  /**
   * a command that exits 0 while the worker is healthy, e.g. one that checks a heartbeat file:
   * the readiness and liveness probe (a worker has no port to probe)
   */
  readonly healthCommand: readonly string[];
  /** how often the health command runs, in seconds; restarted after 3 failures in a row @default 30 */
  readonly healthPeriodSeconds?: number;
  /** volumes besides /tmp @default none */
  readonly volumes?: readonly VolumeProps[];
  /** @default 1; left out under `autoscaling` */
  readonly replicas?: number;
  /** @default a fixed replica count */
  readonly autoscaling?: AutoscalingProps;
  /** @default no budget */
  readonly podDisruptionBudget?: DisruptionBudgetProps;
  /** time to finish the task at hand after SIGTERM @default the API server's, 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** @default none */
  readonly priorityClassName?: string;
  /** @default none */
  readonly imagePullSecrets?: readonly string[];
  /** @default 600 */
  readonly progressDeadlineSeconds?: number;
}

export class Worker extends Construct {
  public readonly serviceAccount: ApiObject;
  public readonly deployment: ApiObject;
  public readonly podDisruptionBudget?: ApiObject;
  public readonly horizontalPodAutoscaler?: ApiObject;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    const { name, namespace, labels, selector } = props;
    const where = `worker "${name}"`;
    if (Object.keys(selector).length === 0) throw new Error(`${where}: selector got {}; allowed: at least one label`);
    const podLabels = props.podLabels ?? labels;
    for (const [k, v] of Object.entries(selector))
      if (podLabels[k] !== v) throw new Error(`${where}: selector label ${k}=${v} missing from the pod labels`);
    if (props.replicas !== undefined && (!Number.isInteger(props.replicas) || props.replicas < 0))
      throw new Error(`${where}: replicas got ${props.replicas}; allowed: an integer of 0 or more`);
    if (props.healthCommand.length === 0)
      throw new Error(`${where}: healthCommand got []; allowed: a command that exits 0 while the worker is healthy`);
    const volumes = props.volumes ?? [];
    const annotations =
      props.podAnnotations && Object.keys(props.podAnnotations).length > 0 ? { ...props.podAnnotations } : undefined;
    const probe = (failureThreshold: number): k8s.Probe => ({
      exec: { command: [...props.healthCommand] },
      periodSeconds: props.healthPeriodSeconds ?? 30,
      timeoutSeconds: 5,
      failureThreshold,
    });

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name, namespace, labels: { ...labels } },
      automountServiceAccountToken: false,
    });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace, labels: { ...podLabels } },
      spec: {
        replicas: props.autoscaling ? undefined : (props.replicas ?? 1),
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: props.progressDeadlineSeconds ?? 600,
        selector: { matchLabels: { ...selector } },
        // a worker holds no connections to drain: one pod at a time is replaced
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: {
          metadata: { labels: { ...podLabels }, annotations },
          spec: hardenedPodSpec({
            serviceAccountName: name,
            identity: props.container,
            containers: [
              hardenedContainer({
                ...props.container,
                // not ready at the first failure (a Deployment's rollout waits for ready pods),
                // restarted only after three
                readinessProbe: probe(1),
                livenessProbe: probe(3),
                volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
                emptyDirSizes: emptyDirSizes(volumes),
              }),
            ],
            volumes,
            tmpSizeLimit: props.container.tmpSizeLimit,
            terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
            priorityClassName: props.priorityClassName,
            imagePullSecrets: props.imagePullSecrets,
            spreadSelector: selector,
            where,
          }),
        },
      },
    });
    const availability = new Availability(this, 'Availability', {
      name,
      namespace,
      labels,
      selector,
      podDisruptionBudget: props.podDisruptionBudget,
      autoscaling: props.autoscaling,
    });
    this.podDisruptionBudget = availability.podDisruptionBudget;
    this.horizontalPodAutoscaler = availability.horizontalPodAutoscaler;
  }
}
