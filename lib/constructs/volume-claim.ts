/**
 * A PersistentVolumeClaim the delivery engines never prune or delete: the data on it outlives the
 * app's objects, a removal from git and the deletion of the Argo CD Application alike.
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { isPositiveQuantity } from '../quantity';
import { ARGOCD_SYNC_OPTIONS, FLUX_PRUNE } from './annotations';

/** how the claim may be mounted: by one node, one pod, or many nodes at once */
export type VolumeAccessMode = 'ReadWriteOnce' | 'ReadWriteOncePod' | 'ReadWriteMany';

export interface VolumeClaimProps {
  readonly name: string;
  readonly namespace: string;
  /** @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** the storage it requests, a quantity such as `20Gi`; it may grow later, never shrink */
  readonly size: string;
  /**
   * ReadWriteMany when pods on several nodes mount it (several replicas, a rollout's surge pod)
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
   */
  readonly accessMode: VolumeAccessMode;
  /** a StorageClass that provides the access mode @default the cluster's default class */
  readonly storageClassName?: string;
  /**
   * Argo CD and Flux never prune or delete it (Prune=false,Delete=false; prune: disabled)
   * @default true
   */
  readonly keepOnDelete?: boolean;
}

/** the claim itself (an ApiObject), so that its construct ID is the object's */
export class VolumeClaim extends k8s.KubePersistentVolumeClaim {
  constructor(scope: Construct, id: string, props: VolumeClaimProps) {
    if (!isPositiveQuantity(props.size))
      throw new Error(
        `volume claim "${props.name}": size got ${JSON.stringify(props.size)}; allowed: a positive quantity such as 20Gi`,
      );
    super(scope, id, {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels ? { ...props.labels } : undefined,
        annotations:
          (props.keepOnDelete ?? true)
            ? { [ARGOCD_SYNC_OPTIONS]: 'Prune=false,Delete=false', [FLUX_PRUNE]: 'disabled' }
            : undefined,
      },
      spec: {
        accessModes: [props.accessMode],
        storageClassName: props.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(props.size) } },
      },
    });
  }
}
