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
  /** an address block, e.g. `10.0.0.0/24`; excludes namespace and podLabels */
  readonly cidr?: string;
  /** blocks inside `cidr` that are not the peer, each a strict subset of it @default none */
  readonly except?: readonly string[];
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

/** one peer, or several that one rule admits alike */
export type NetworkPeers = NetworkPeer | readonly NetworkPeer[];

/** a caller allowed in to the app's port, in a policy of its own */
export interface IngressAllow {
  /** construct ID of the policy, PascalCase */
  readonly id: string;
  /** the policy's name */
  readonly name: string;
  /** at least one peer */
  readonly from: NetworkPeers;
}

/** destinations the pods may reach, on these ports only */
export interface EgressRule {
  /** at least one peer */
  readonly to: NetworkPeers;
  /** at least one: an allow without ports would allow every port */
  readonly ports: readonly PolicyPort[];
}

/** further egress of some of the pods, in a policy of its own */
export interface EgressPolicy {
  /** construct ID of the policy, PascalCase */
  readonly id: string;
  /** the policy's name */
  readonly name: string;
  /** the pods it is for: at least one label */
  readonly selector: Readonly<Record<string, string>>;
  /** at least one rule */
  readonly egress: readonly EgressRule[];
}

/** a destination the pods may reach */
export interface EgressAllow extends EgressRule {
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
  /**
   * more egress for some of the pods (e.g. the servers alone, not their jobs), each in a policy
   * of its own after the egress policy; peers in this namespace are not let in by them
   * @default none
   */
  readonly egressPolicies?: readonly EgressPolicy[];
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
            ingress: [{ from: peerList(c.from, `allowIngress ${c.id}`), ports: [policyPort({ port: props.port })] }],
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
          egress: egress.map((e, i) => egressRule(e, `egress[${i}]`)),
        },
      }),
    );

    for (const extra of props.egressPolicies ?? []) {
      if (Object.keys(extra.selector).length === 0)
        throw new Error(
          `network policies: egressPolicies ${extra.id} selector got {}; allowed: at least one label ({} selects every pod)`,
        );
      if (extra.egress.length === 0)
        throw new Error(`network policies: egressPolicies ${extra.id} egress got []; allowed: at least one rule`);
      policies.push(
        new k8s.KubeNetworkPolicy(this, extra.id, {
          metadata: metadata(extra.name),
          spec: {
            podSelector: { matchLabels: { ...extra.selector } },
            policyTypes: ['Egress'],
            egress: extra.egress.map((e, i) => egressRule(e, `egressPolicies ${extra.id} egress[${i}]`)),
          },
        }),
      );
    }

    // the default deny above covers every pod of the namespace: a peer that runs here too must
    // also let the pods in, or the egress allowed above goes nowhere
    for (const [i, e] of egress.entries()) {
      if (!e.peerIngress) continue;
      const local = asList(e.to).filter((p) => p.namespace === props.namespace);
      if (local.length === 0) continue;
      if (local.length > 1)
        throw new Error(
          `network policies: egress[${i}] got ${local.length} peers in namespace ${props.namespace} with peerIngress; allowed: one (its policy selects one set of pods)`,
        );
      policies.push(
        new k8s.KubeNetworkPolicy(this, e.peerIngress.id, {
          metadata: metadata(e.peerIngress.name),
          spec: {
            podSelector: { matchLabels: { ...local[0].podLabels } },
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

function asList(p: NetworkPeers): readonly NetworkPeer[] {
  return Array.isArray(p) ? p : [p as NetworkPeer];
}

/** @throws Error naming the peers, when there are none */
function peerList(p: NetworkPeers, where: string): k8s.NetworkPolicyPeer[] {
  const list = asList(p);
  if (list.length === 0) throw new Error(`${where}: peers got []; allowed: at least one peer ([] admits nobody)`);
  return list.map((x, i) => peer(x, list.length === 1 ? where : `${where} peer ${i}`));
}

/** @throws Error when the rule has no ports: a NetworkPolicy rule without ports allows every port */
function egressRule(e: EgressRule, where: string): k8s.NetworkPolicyEgressRule {
  if (e.ports.length === 0)
    throw new Error(`${where}: ports got []; allowed: at least one port ([] allows every port)`);
  return { to: peerList(e.to, where), ports: e.ports.map(policyPort) };
}

/** @throws Error naming the peer, when it is neither an address block nor a namespace */
export function peer(p: NetworkPeer, where: string): k8s.NetworkPolicyPeer {
  if (p.cidr) {
    if (p.namespace !== undefined || p.podLabels !== undefined)
      throw new Error(
        `${where}: peer got ${JSON.stringify(p)}; allowed: a cidr, or a namespace with optional podLabels`,
      );
    return { ipBlock: { cidr: p.cidr, ...(p.except?.length ? { except: [...p.except] } : {}) } };
  }
  if (!p.namespace || p.except !== undefined)
    throw new Error(`${where}: peer got ${JSON.stringify(p)}; allowed: a cidr, or a namespace with optional podLabels`);
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } },
    ...(p.podLabels ? { podSelector: { matchLabels: { ...p.podLabels } } } : {}),
  };
}
