/**
 * A web app: its ServiceAccount and settings (ConfigMap), the Deployment (web-deployment.ts), the
 * Service and Ingress (web-service.ts), and the autoscaler and disruption budget
 * (availability.ts). Every object carries the fixed `name`, never one derived from construct paths.
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { contentHash } from '../determinism';
import { CONFIG_CHECKSUM } from './annotations';
import { Availability, type AutoscalingProps, type DisruptionBudgetProps } from './availability';
import type { VolumeProps } from './hardened-container';
import type { HttpProbes } from './probes';
import type { SchedulingProps } from './scheduling';
import { WebDeployment, type WebContainerProps } from './web-deployment';
import { WebService, type IngressProps } from './web-service';

export interface WebAppProps extends SchedulingProps {
  /** the name of every object of the app */
  readonly name: string;
  readonly namespace: string;
  /** labels of every object */
  readonly labels: Readonly<Record<string, string>>;
  /** the labels that select the pods: a subset of `labels`, never changed once deployed */
  readonly selector: Readonly<Record<string, string>>;
  /**
   * labels of the Deployment and its pods, e.g. `labels` with a version: only the objects that
   * run the image then change when it does
   * @default labels
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly container: WebContainerProps;
  /** the port the container listens on, and the Service's port */
  readonly port: number;
  readonly probes: HttpProbes;
  /** volumes besides /tmp @default none */
  readonly volumes?: readonly VolumeProps[];
  /**
   * non-secret settings: a ConfigMap the container reads with envFrom; a change rolls the pods
   * (annotation `checksum/config`)
   * @default no ConfigMap
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** @default name */
  readonly configMapName?: string;
  /** @default 1; ignored under `autoscaling` */
  readonly replicas?: number;
  /** @default a fixed replica count */
  readonly autoscaling?: AutoscalingProps;
  /** @default no budget */
  readonly podDisruptionBudget?: DisruptionBudgetProps;
  /** @default no Ingress */
  readonly ingress?: IngressProps;
  /** @default 600 */
  readonly progressDeadlineSeconds?: number;
  /** @default maxSurge 1, maxUnavailable 0 */
  readonly rollingUpdate?: { readonly maxSurge: number; readonly maxUnavailable: number };
  /** @default the API server's, 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** @default none */
  readonly priorityClassName?: string;
  /** @default none */
  readonly imagePullSecrets?: readonly string[];
  /** init containers, already hardened @default none */
  readonly initContainers?: readonly k8s.Container[];
  /**
   * labels and annotations of the pods only, not of the Deployment: a service mesh's injection
   * switch, an autoscaler's or a scanner's per-pod setting. A label may not be one the pods carry
   * already (`podLabels`, the selector among them), an annotation not `checksum/config`
   * @default none
   */
  readonly podMetadata?: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  /**
   * annotations of the ServiceAccount, e.g. a cloud identity: `eks.amazonaws.com/role-arn` (IRSA),
   * `iam.gke.io/gcp-service-account` (GKE Workload Identity). The token stays unmounted: those
   * webhooks project their own
   * @default none
   */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
}

export class WebApp extends Construct {
  public readonly serviceAccount: ApiObject;
  public readonly configMap?: ApiObject;
  public readonly deployment: ApiObject;
  public readonly service: ApiObject;
  public readonly ingress?: ApiObject;
  public readonly podDisruptionBudget?: ApiObject;
  public readonly horizontalPodAutoscaler?: ApiObject;
  /** the labels that select the pods */
  public readonly selector: Readonly<Record<string, string>>;
  /** the Service's port */
  public readonly port: number;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    const { name, namespace, labels, selector } = props;
    const metadata = { name, namespace, labels: { ...labels } };
    this.selector = selector;
    this.port = props.port;

    // the app never calls the Kubernetes API: no token, here or in the pods
    const saAnnotations = props.serviceAccountAnnotations ?? {};
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: Object.keys(saAnnotations).length > 0 ? { ...metadata, annotations: { ...saAnnotations } } : metadata,
      automountServiceAccountToken: false,
    });
    const configMapName = props.configMapName ?? name;
    if (props.settings) {
      this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', {
        metadata: { ...metadata, name: configMapName },
        data: { ...props.settings },
      });
    }

    const deployment = new WebDeployment(this, 'App', {
      name,
      namespace,
      labels: props.podLabels ?? labels,
      selector,
      container: props.settings
        ? {
            ...props.container,
            // the settings last: of two sources with one name, the last wins
            envFrom: [...(props.container.envFrom ?? []), { configMapRef: { name: configMapName } }],
          }
        : props.container,
      port: props.port,
      probes: props.probes,
      volumes: props.volumes,
      serviceAccountName: name,
      podAnnotations: podAnnotations(name, props.podMetadata?.annotations, props.settings),
      podLabels: props.podMetadata?.labels,
      nodeSelector: props.nodeSelector,
      tolerations: props.tolerations,
      affinity: props.affinity,
      replicas: props.replicas,
      autoscaled: props.autoscaling !== undefined,
      progressDeadlineSeconds: props.progressDeadlineSeconds,
      rollingUpdate: props.rollingUpdate,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      priorityClassName: props.priorityClassName,
      imagePullSecrets: props.imagePullSecrets,
      initContainers: props.initContainers,
    });
    this.deployment = deployment.deployment;
    const exposure = new WebService(this, 'Exposure', {
      name,
      namespace,
      labels,
      selector,
      port: props.port,
      ingress: props.ingress,
    });
    this.service = exposure.service;
    this.ingress = exposure.ingress;
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

function podAnnotations(
  name: string,
  given: Readonly<Record<string, string>> = {},
  settings?: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  if (CONFIG_CHECKSUM in given)
    throw new Error(
      `web app "${name}": podMetadata.annotations got ${CONFIG_CHECKSUM}, which the app sets from its settings; allowed: any other annotation`,
    );
  const all = { ...given, ...(settings ? { [CONFIG_CHECKSUM]: contentHash(settings) } : {}) };
  return Object.keys(all).length > 0 ? all : undefined;
}
