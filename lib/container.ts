/**
 * A container that meets the restricted profile and the project's hardening rules:
 * securityContext, requests and a memory limit, and a writable /tmp on a read-only root.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import type { ResourcesConfig } from './config';
import { restrictedSecurityContext, type Identity } from './security';

export const TMP_VOLUME = 'tmp';

export interface HardenedContainerProps extends Identity {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly args?: readonly string[];
  readonly resources: ResourcesConfig;
  readonly env?: readonly k8s.EnvVar[];
  readonly envFrom?: readonly k8s.EnvFromSource[];
  /** mounts besides /tmp */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  readonly ports?: readonly k8s.ContainerPort[];
  readonly startupProbe?: k8s.Probe;
  readonly readinessProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
  /** hooks such as a preStop delay */
  readonly lifecycle?: k8s.Lifecycle;
  /** @default /app, where alembic.ini and the package live */
  readonly workingDir?: string;
}

export function hardenedContainer(props: HardenedContainerProps): k8s.Container {
  const { resources } = props;
  return {
    name: props.name,
    image: props.image,
    imagePullPolicy: 'IfNotPresent',
    command: [...props.command],
    ...(props.args && props.args.length > 0 ? { args: [...props.args] } : {}),
    workingDir: props.workingDir ?? '/app',
    ports: props.ports ? [...props.ports] : undefined,
    env: props.env ? [...props.env] : undefined,
    envFrom: props.envFrom ? [...props.envFrom] : undefined,
    resources: {
      requests: { cpu: k8s.Quantity.fromString(resources.cpuRequest), memory: k8s.Quantity.fromString(resources.memoryRequest) },
      limits: {
        memory: k8s.Quantity.fromString(resources.memoryLimit),
        ...(resources.cpuLimit ? { cpu: k8s.Quantity.fromString(resources.cpuLimit) } : {}),
      },
    },
    // /tmp on an emptyDir: the root filesystem is read-only, and Starlette spools uploads there
    volumeMounts: [{ name: TMP_VOLUME, mountPath: '/tmp' }, ...(props.volumeMounts ?? [])],
    startupProbe: props.startupProbe,
    readinessProbe: props.readinessProbe,
    livenessProbe: props.livenessProbe,
    lifecycle: props.lifecycle,
    securityContext: restrictedSecurityContext(props),
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** the emptyDir behind /tmp */
export function tmpVolume(): k8s.Volume {
  return { name: TMP_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } };
}
