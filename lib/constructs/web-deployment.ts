/**
 * A Deployment of one hardened container: probes on an HTTP path, pods spread over zones and
 * nodes, the restricted pod security context, no API token and no service links.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { emptyDirSizes, hardenedContainer, type HardenedContainerProps, type VolumeProps } from './hardened-container';
import { hardenedPodSpec } from './pod-spec';
import { effectiveProbes, HTTP_PORT_NAME, k8sProbe, probeProblems, type HttpProbes, type ProbeKind } from './probes';
import type { SchedulingProps } from './scheduling';

/** the serving container; its port is named `http` */
export type WebContainerProps = Omit<
  HardenedContainerProps,
  'ports' | 'startupProbe' | 'readinessProbe' | 'livenessProbe' | 'emptyDirSizes' | 'volumeMounts' | 'name'
> & {
  /** @default `app` */
  readonly name?: string;
};

export interface WebDeploymentProps extends SchedulingProps {
  readonly name: string;
  readonly namespace: string;
  /** labels of the Deployment and its pods (a version label included, if any) */
  readonly labels: Readonly<Record<string, string>>;
  /** the labels that select the pods: a subset of `labels`, stable for the life of the Deployment */
  readonly selector: Readonly<Record<string, string>>;
  readonly container: WebContainerProps;
  /** the port the container listens on */
  readonly port: number;
  readonly probes: HttpProbes;
  /** volumes besides /tmp, mounted into the container @default none */
  readonly volumes?: readonly VolumeProps[];
  /** the pod's ServiceAccount */
  readonly serviceAccountName: string;
  /** pod annotations, e.g. a checksum of the settings so that a change rolls the pods @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** labels of the pods only, besides `labels` (which they may not override) @default none */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** @default 1; left out when `autoscaled` (the HPA owns the count, GitOps must not fight it) */
  readonly replicas?: number;
  /** an HPA sets the replica count @default false */
  readonly autoscaled?: boolean;
  /** @default 600 */
  readonly progressDeadlineSeconds?: number;
  /** @default maxSurge 1, maxUnavailable 0: a rollout never lowers capacity */
  readonly rollingUpdate?: { readonly maxSurge: number; readonly maxUnavailable: number };
  /** @default the API server's, 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** @default none */
  readonly priorityClassName?: string;
  /** Secrets to pull the images with @default none */
  readonly imagePullSecrets?: readonly string[];
  /** init containers, already hardened (`hardenedContainer()`) @default none */
  readonly initContainers?: readonly k8s.Container[];
}

export class WebDeployment extends Construct {
  public readonly deployment: ApiObject;

  constructor(scope: Construct, id: string, props: WebDeploymentProps) {
    super(scope, id);
    const { labels, selector } = props;
    for (const [k, v] of Object.entries(selector))
      if (labels[k] !== v)
        throw new Error(
          `deployment "${props.name}": selector label ${k}=${v} missing from labels; allowed: a subset of labels`,
        );
    if (Object.keys(selector).length === 0)
      throw new Error(`deployment "${props.name}": selector got {}; allowed: at least one label`);
    if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535)
      throw new Error(`deployment "${props.name}": port got ${props.port}; allowed: 1 to 65535`);
    const probeErrors = probeProblems(props.probes, [HTTP_PORT_NAME, props.port]);
    if (probeErrors.length > 0)
      throw new Error(`deployment "${props.name}": ${probeErrors.map(([f, p]) => `probes.${f} ${p}`).join('; ')}`);
    for (const k of Object.keys(props.podLabels ?? {}))
      if (k in labels)
        throw new Error(
          `deployment "${props.name}": podLabels got ${k}, a label the pods carry already; allowed: a label not in labels (${Object.keys(labels).join(', ')})`,
        );
    const volumes = props.volumes ?? [];

    const probes = effectiveProbes(props.probes, HTTP_PORT_NAME);
    const probe = (kind: ProbeKind): k8s.Probe => k8sProbe(probes[kind]);
    const container = hardenedContainer({
      ...props.container,
      name: props.container.name ?? 'app',
      ports: [{ name: HTTP_PORT_NAME, containerPort: props.port, protocol: 'TCP' }],
      volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
      emptyDirSizes: emptyDirSizes(volumes),
      startupProbe: probe('startup'),
      readinessProbe: probe('readiness'),
      livenessProbe: probe('liveness'),
    });

    const rollingUpdate = props.rollingUpdate ?? { maxSurge: 1, maxUnavailable: 0 };
    const annotations =
      props.podAnnotations && Object.keys(props.podAnnotations).length > 0 ? { ...props.podAnnotations } : undefined;

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...labels } },
      spec: {
        replicas: props.autoscaled ? undefined : (props.replicas ?? 1),
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: props.progressDeadlineSeconds ?? 600,
        selector: { matchLabels: { ...selector } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(rollingUpdate.maxSurge),
            maxUnavailable: k8s.IntOrString.fromNumber(rollingUpdate.maxUnavailable),
          },
        },
        template: {
          metadata: { labels: { ...labels, ...props.podLabels }, annotations },
          spec: hardenedPodSpec({
            serviceAccountName: props.serviceAccountName,
            identity: props.container,
            containers: [container],
            initContainers: props.initContainers,
            volumes,
            tmpSizeLimit: props.container.tmpSizeLimit,
            terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
            priorityClassName: props.priorityClassName,
            imagePullSecrets: props.imagePullSecrets,
            spreadSelector: selector,
            nodeSelector: props.nodeSelector,
            tolerations: props.tolerations,
            affinity: props.affinity,
            where: `deployment "${props.name}"`,
          }),
        },
      },
    });
  }
}
