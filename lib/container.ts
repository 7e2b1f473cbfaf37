/**
 * A container that meets the restricted profile and the project's hardening rules:
 * securityContext, requests and limits (memory and ephemeral storage), and a writable /tmp on a
 * read-only root.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import type { EnvironmentConfig, ResourcesConfig } from './config';
import { quantityValue } from './quantity';
import { restrictedSecurityContext, type Identity } from './security';

export const TMP_VOLUME = 'tmp';
const TMP_SIZE = '256Mi';
/** what a container writes besides its emptyDirs: its logs (the root filesystem is read-only) */
const LOG_ROOM_MIB = 64;

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
  /**
   * sizeLimits of the emptyDirs among `volumeMounts`: they count against the pod's
   * ephemeral storage, so the container requests and is limited to them (with /tmp and its logs)
   */
  readonly emptyDirSizes?: readonly string[];
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
  const storage = k8s.Quantity.fromString(ephemeralStorage(props.emptyDirSizes ?? []));
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
      requests: {
        cpu: k8s.Quantity.fromString(resources.cpuRequest),
        memory: k8s.Quantity.fromString(resources.memoryRequest),
        'ephemeral-storage': storage,
      },
      limits: {
        memory: k8s.Quantity.fromString(resources.memoryLimit),
        'ephemeral-storage': storage,
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
  return { name: TMP_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(TMP_SIZE) } };
}

/**
 * Ephemeral storage for a container with /tmp and these emptyDirs: their sizes and room for
 * logs, in whole MiB. Without a request the scheduler places pods on nodes whose disk cannot hold
 * their emptyDirs, and the kubelet evicts them when the disk fills.
 */
export function ephemeralStorage(emptyDirSizes: readonly string[]): string {
  const bytes = [TMP_SIZE, ...emptyDirSizes].reduce((sum, q) => sum + quantityValue(q), 0);
  return `${Math.ceil(bytes / 2 ** 20) + LOG_ROOM_MIB}Mi`;
}

/** the registry credentials every pod pulls its images with, if the config names any */
export function imagePullSecrets(config: EnvironmentConfig): k8s.LocalObjectReference[] | undefined {
  return config.imagePullSecrets.length > 0 ? config.imagePullSecrets.map((name) => ({ name })) : undefined;
}
