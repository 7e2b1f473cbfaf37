/**
 * A Namespace whose pods the cluster itself holds to the restricted Pod Security Standard, kept
 * by the delivery engines when the app that created it goes.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { ARGOCD_SYNC_OPTIONS, FLUX_PRUNE } from './annotations';

export interface RestrictedNamespaceProps {
  readonly name: string;
  /** @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** the Pod Security Standards version the admission enforces, e.g. `v1.28` @default v1.28 */
  readonly podSecurityVersion?: string;
  /**
   * Argo CD and Flux never delete or prune it: it also holds what the repository does not
   * manage (Secrets, volume claims), which deleting it would take along
   * @default true
   */
  readonly keepOnDelete?: boolean;
}

/** the Namespace itself (an ApiObject), so that its construct ID is the object's */
export class RestrictedNamespace extends k8s.KubeNamespace {
  constructor(scope: Construct, id: string, props: RestrictedNamespaceProps) {
    const version = props.podSecurityVersion ?? 'v1.28';
    if (!/^(v\d+\.\d+|latest)$/.test(version))
      throw new Error(
        `namespace "${props.name}": podSecurityVersion got ${JSON.stringify(version)}; allowed: v<major>.<minor> or latest`,
      );
    const level = 'restricted';
    super(scope, id, {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': version,
          'pod-security.kubernetes.io/audit': level,
          'pod-security.kubernetes.io/warn': level,
        },
        annotations:
          (props.keepOnDelete ?? true)
            ? { [ARGOCD_SYNC_OPTIONS]: 'Prune=false,Delete=false', [FLUX_PRUNE]: 'disabled' }
            : undefined,
      },
    });
  }
}
