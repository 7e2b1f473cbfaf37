/**
 * A container that meets the restricted profile and the house hardening rules: securityContext,
 * requests and limits (memory and ephemeral storage), and a writable /tmp on a read-only root.
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { isPositiveQuantity, quantityValue } from '../quantity';
import { restrictedSecurityContext, validateIdentity, type Identity } from './security';

export const TMP_VOLUME = 'tmp';
/** @default sizeLimit of the emptyDir at /tmp */
export const DEFAULT_TMP_SIZE = '256Mi';
/** what a container writes besides its emptyDirs: its logs (the root filesystem is read-only) */
const LOG_ROOM_MIB = 64;

/** requests and limits, as Kubernetes quantities */
export interface ContainerResources {
  /** e.g. `100m` */
  readonly cpuRequest: string;
  /** e.g. `256Mi` */
  readonly memoryRequest: string;
  /** at least the request: a pod over its memory limit is killed */
  readonly memoryLimit: string;
  /** @default no CPU limit: throttling a latency-bound server costs more than it saves */
  readonly cpuLimit?: string;
}

/** a volume of the pod and where the container mounts it */
export interface VolumeProps {
  /** the volume's name in the pod */
  readonly name: string;
  readonly mountPath: string;
  /** a PersistentVolumeClaim to mount @default an emptyDir of `sizeLimit` */
  readonly claimName?: string;
  /** the emptyDir's sizeLimit; required without `claimName` (the node's disk is shared) */
  readonly sizeLimit?: string;
}

export interface HardenedContainerProps extends Identity {
  /** the container's name, a DNS label */
  readonly name: string;
  /** the full image reference, e.g. `ghcr.io/acme/api:1.2.0@sha256:...` */
  readonly image: string;
  /** explicit command: an image's entrypoint is not reviewed here */
  readonly command: readonly string[];
  /** @default none */
  readonly args?: readonly string[];
  readonly resources: ContainerResources;
  /** @default none */
  readonly env?: readonly k8s.EnvVar[];
  /** @default none */
  readonly envFrom?: readonly k8s.EnvFromSource[];
  /** mounts besides /tmp @default none */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /**
   * sizeLimits of the emptyDirs among `volumeMounts`: they count against the pod's ephemeral
   * storage, so the container requests and is limited to them (with /tmp and its logs)
   * @default none
   */
  readonly emptyDirSizes?: readonly string[];
  /** @default none */
  readonly ports?: readonly k8s.ContainerPort[];
  /** @default none */
  readonly startupProbe?: k8s.Probe;
  /** @default none */
  readonly readinessProbe?: k8s.Probe;
  /** @default none */
  readonly livenessProbe?: k8s.Probe;
  /** hooks such as a preStop delay @default none */
  readonly lifecycle?: k8s.Lifecycle;
  /** @default the image's WORKDIR */
  readonly workingDir?: string;
  /** sizeLimit of the emptyDir at /tmp, which the pod must carry (`tmpVolume()`) @default 256Mi */
  readonly tmpSizeLimit?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** @throws Error naming the prop and the value it got, and what is allowed */
export function hardenedContainer(props: HardenedContainerProps): k8s.Container {
  const where = `container "${props.name}"`;
  if (!DNS_LABEL.test(props.name))
    throw new Error(`container name got ${JSON.stringify(props.name)}; allowed: a DNS label (a-z, 0-9, "-")`);
  if (props.image.trim() === '') throw new Error(`${where}: image got ""; allowed: an image reference`);
  if (props.command.length === 0)
    throw new Error(`${where}: command got []; allowed: the explicit command, at least one word`);
  validateIdentity(props, where);
  const { resources } = props;
  for (const field of ['cpuRequest', 'memoryRequest', 'memoryLimit', 'cpuLimit'] as const) {
    const q = resources[field];
    if (q !== undefined && !isPositiveQuantity(q))
      throw new Error(`${where}: resources.${field} got ${JSON.stringify(q)}; allowed: a positive quantity`);
  }
  if (quantityValue(resources.memoryLimit) < quantityValue(resources.memoryRequest))
    throw new Error(
      `${where}: resources.memoryLimit got ${resources.memoryLimit}; allowed: at least memoryRequest (${resources.memoryRequest})`,
    );
  const storage = k8s.Quantity.fromString(
    ephemeralStorage(props.emptyDirSizes ?? [], props.tmpSizeLimit ?? DEFAULT_TMP_SIZE),
  );
  return {
    name: props.name,
    image: props.image,
    imagePullPolicy: 'IfNotPresent',
    command: [...props.command],
    ...(props.args && props.args.length > 0 ? { args: [...props.args] } : {}),
    workingDir: props.workingDir,
    ports: props.ports ? [...props.ports] : undefined,
    env: props.env && props.env.length > 0 ? [...props.env] : undefined,
    envFrom: props.envFrom && props.envFrom.length > 0 ? [...props.envFrom] : undefined,
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
    // /tmp on an emptyDir: the root filesystem is read-only, and most runtimes write temp files
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
export function tmpVolume(sizeLimit: string = DEFAULT_TMP_SIZE): k8s.Volume {
  return { name: TMP_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}

/** the pod's volume for `v`, an emptyDir or a claim */
export function podVolume(v: VolumeProps, where: string): k8s.Volume {
  if (v.claimName) return { name: v.name, persistentVolumeClaim: { claimName: v.claimName } };
  if (v.sizeLimit === undefined || !isPositiveQuantity(v.sizeLimit))
    throw new Error(
      `${where}: volume "${v.name}" sizeLimit got ${JSON.stringify(v.sizeLimit)}; allowed: a positive quantity, or a claimName`,
    );
  return { name: v.name, emptyDir: { sizeLimit: k8s.Quantity.fromString(v.sizeLimit) } };
}

/** the sizeLimits of the emptyDirs among `volumes` */
export function emptyDirSizes(volumes: readonly VolumeProps[]): string[] {
  return volumes.filter((v) => !v.claimName && v.sizeLimit !== undefined).map((v) => v.sizeLimit!);
}

/**
 * Ephemeral storage for a container with /tmp and these emptyDirs: their sizes and room for
 * logs, in whole MiB. Without a request the scheduler places pods on nodes whose disk cannot hold
 * their emptyDirs, and the kubelet evicts them when the disk fills.
 */
export function ephemeralStorage(sizes: readonly string[], tmpSize: string = DEFAULT_TMP_SIZE): string {
  const bytes = [tmpSize, ...sizes].reduce((sum, q) => sum + quantityValue(q), 0);
  return `${Math.ceil(bytes / 2 ** 20) + LOG_ROOM_MIB}Mi`;
}

/** the pod's imagePullSecrets for these Secret names, or none */
export function pullSecrets(names: readonly string[] | undefined): k8s.LocalObjectReference[] | undefined {
  return names && names.length > 0 ? names.map((name) => ({ name })) : undefined;
}
