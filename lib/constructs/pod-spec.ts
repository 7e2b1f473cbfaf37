/**
 * The pod spec every workload of the library runs: the restricted pod security context, no API
 * token, no service links, /tmp on an emptyDir, and where it serves, pods spread over zones and
 * nodes.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { podVolume, pullSecrets, tmpVolume, type VolumeProps } from './hardened-container';
import { schedulingSpec, validateScheduling, type SchedulingProps } from './scheduling';
import { restrictedPodSecurityContext, type Identity } from './security';

export interface HardenedPodSpecProps extends SchedulingProps {
  readonly serviceAccountName: string;
  /** the pod's user and group (also its fsGroup) */
  readonly identity: Identity;
  /** already hardened (`hardenedContainer()`) */
  readonly containers: readonly k8s.Container[];
  /** @default none */
  readonly initContainers?: readonly k8s.Container[];
  /** volumes besides /tmp @default none */
  readonly volumes?: readonly VolumeProps[];
  /** @default 256Mi */
  readonly tmpSizeLimit?: string;
  /** `Never` or `OnFailure` for a Job's pods @default the API server's, Always */
  readonly restartPolicy?: 'Never' | 'OnFailure';
  /** @default the API server's, 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** @default none */
  readonly priorityClassName?: string;
  /** @default none */
  readonly imagePullSecrets?: readonly string[];
  /** spread the pods these labels select over zones and nodes @default no spread */
  readonly spreadSelector?: Readonly<Record<string, string>>;
  /** names the workload in messages */
  readonly where: string;
}

/** the label the Deployment controller puts on each ReplicaSet's pods */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

export function hardenedPodSpec(props: HardenedPodSpecProps): k8s.PodSpec {
  validateScheduling(props, props.where);
  const volumes = (props.volumes ?? []).map((v) => podVolume(v, props.where));
  const spread = (topologyKey: string, selector: Readonly<Record<string, string>>): k8s.TopologySpreadConstraint => ({
    topologyKey,
    maxSkew: 1,
    // ScheduleAnyway: a small or single-zone cluster must still run the app
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { ...selector } },
    // count the pods of the incoming pod's own ReplicaSet only: during a rollout the old pods, about
    // to go, would otherwise skew where the new ones land (beta in 1.27, on by default; a key a pod
    // lacks, as a Job's pods lack this one, is ignored)
    matchLabelKeys: [POD_TEMPLATE_HASH],
  });
  const s = props.spreadSelector;
  return {
    serviceAccountName: props.serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy: props.restartPolicy,
    securityContext: restrictedPodSecurityContext(props.identity),
    terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
    priorityClassName: props.priorityClassName,
    imagePullSecrets: pullSecrets(props.imagePullSecrets),
    ...schedulingSpec(props),
    topologySpreadConstraints: s
      ? [spread('topology.kubernetes.io/zone', s), spread('kubernetes.io/hostname', s)]
      : undefined,
    initContainers: props.initContainers && props.initContainers.length > 0 ? [...props.initContainers] : undefined,
    containers: [...props.containers],
    volumes: [tmpVolume(props.tmpSizeLimit), ...volumes],
  };
}
