/**
 * NetworkPolicies for an app's namespace: deny everything, then allow ingress to the app's port
 * from each named caller, and egress from the app's pods to the peers it needs only.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';

/** one peer: an address block, or pods (all, or those labelled so) of a namespace */
export interface NetworkPeer {
  /** an address block, e.g. `10.0.0.0/24`; excludes the other fields */
  readonly cidr?: string;
  /** the peer's namespace, matched by its `kubernetes.io/metadata.name` label */
  readonly namespace?: string;
  /** @default every pod of `namespace` */
  readonly podLabels?: Readonly<Record<string, string>>;
}

export interface PolicyPort {
  readonly port: number;
  /** @default TCP */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** a caller allowed in to the app's port, in a policy of its own */
export interface IngressAllow {
  /** construct ID of the policy, PascalCase */
  readonly id: string;
  /** the policy's name */
  readonly name: string;
  readonly from: NetworkPeer;
}

/** a destination the pods may reach */
export interface EgressAllow {
  readonly to: NetworkPeer;
  readonly ports: readonly PolicyPort[];
  /**
   * where the peer runs in this namespace too, the policy that lets the pods in to it (the
   * default deny covers the peer as well) @default none
   */
  readonly peerIngress?: { readonly id: string; readonly name: string };
}

export interface NetworkPoliciesProps {
  readonly namespace: string;
  /** labels of every policy */
  readonly labels: Readonly<Record<string, string>>;
  /** the pods that serve `port` */
  readonly serverSelector: Readonly<Record<string, string>>;
  /** the port callers reach */
  readonly port: number;
  /** who may reach `port`, each in its own policy @default nobody */
  readonly allowIngress?: readonly IngressAllow[];
  /** the pods the egress policy is for (the servers and their jobs) @default serverSelector */
  readonly egressSelector?: Readonly<Record<string, string>>;
  /** the egress policy's name */
  readonly egressName: string;
  /** where those pods may go; nowhere else @default nowhere */
  readonly egress?: readonly EgressAllow[];
  /** name of the policy that denies all traffic in the namespace @default default-deny */
  readonly defaultDenyName?: string;
}

export class NetworkPolicies extends Construct {
  /** every policy, the default deny first */
  public readonly policies: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const metadata = (name: string) => ({ name, namespace: props.namespace, labels: { ...props.labels } });
    const servers = props.serverSelector;
    const backend = props.egressSelector ?? servers;
    for (const [field, sel] of [
      ['serverSelector', servers],
      ['egressSelector', backend],
    ] as const)
      if (Object.keys(sel).length === 0)
        throw new Error(`network policies: ${field} got {}; allowed: at least one label ({} selects every pod)`);
    const policies: ApiObject[] = [];

    policies.push(
      new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
        metadata: metadata(props.defaultDenyName ?? 'default-deny'),
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      }),
    );

    for (const c of props.allowIngress ?? []) {
      policies.push(
        new k8s.KubeNetworkPolicy(this, c.id, {
          metadata: metadata(c.name),
          spec: {
            podSelector: { matchLabels: { ...servers } },
            policyTypes: ['Ingress'],
            ingress: [{ from: [peer(c.from, `allowIngress ${c.id}`)], ports: [policyPort({ port: props.port })] }],
          },
        }),
      );
    }

    const egress = props.egress ?? [];
    policies.push(
      new k8s.KubeNetworkPolicy(this, 'AllowEgress', {
        metadata: metadata(props.egressName),
        spec: {
          podSelector: { matchLabels: { ...backend } },
          policyTypes: ['Egress'],
          egress: egress.map((e, i) => ({ to: [peer(e.to, `egress[${i}]`)], ports: e.ports.map(policyPort) })),
        },
      }),
    );

    // the default deny above covers every pod of the namespace: a peer that runs here too must
    // also let the pods in, or the egress allowed above goes nowhere
    for (const e of egress) {
      if (!e.peerIngress || e.to.namespace !== props.namespace) continue;
      policies.push(
        new k8s.KubeNetworkPolicy(this, e.peerIngress.id, {
          metadata: metadata(e.peerIngress.name),
          spec: {
            podSelector: { matchLabels: { ...e.to.podLabels } },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: { matchLabels: { ...backend } } }], ports: e.ports.map(policyPort) }],
          },
        }),
      );
    }
    this.policies = policies;
  }
}

function policyPort(p: PolicyPort): k8s.NetworkPolicyPort {
  return { protocol: p.protocol ?? 'TCP', port: k8s.IntOrString.fromNumber(p.port) };
}

/** @throws Error naming the peer, when it is neither an address block nor a namespace */
export function peer(p: NetworkPeer, where: string): k8s.NetworkPolicyPeer {
  if (p.cidr) {
    if (p.namespace !== undefined || p.podLabels !== undefined)
      throw new Error(
        `${where}: peer got ${JSON.stringify(p)}; allowed: a cidr, or a namespace with optional podLabels`,
      );
    return { ipBlock: { cidr: p.cidr } };
  }
  if (!p.namespace)
    throw new Error(`${where}: peer got ${JSON.stringify(p)}; allowed: a cidr, or a namespace with optional podLabels`);
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } },
    ...(p.podLabels ? { podSelector: { matchLabels: { ...p.podLabels } } } : {}),
  };
}
