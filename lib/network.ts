/**
 * NetworkPolicies: deny everything in the namespace, then allow ingress to the app port from the
 * configured source, and egress from the backend's pods (app and migration) to DNS and the
 * database only.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import type { EnvironmentConfig, PeerConfig, RouteConfig } from './config';
import { APP_NAME, HTTP_PORT, recommendedLabels, selectorLabels } from './labels';

export interface NetworkPoliciesProps {
  readonly config: EnvironmentConfig;
}

export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { config } = props;
    const metadata = (name: string) => ({
      name,
      namespace: config.namespace,
      labels: recommendedLabels(config, 'api'),
    });
    const api = selectorLabels(config, 'api');
    // app and migration pods: every pod of this instance, whatever its component
    const { 'app.kubernetes.io/component': _component, ...backend } = api;

    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: metadata('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    // who may reach the app's port: the ingress controller, the gateway's proxies, the scrapers
    const callers = [
      { id: 'AllowIngress', name: `${APP_NAME}-ingress`, from: config.allowIngressFrom },
      { id: 'AllowGateway', name: `${APP_NAME}-from-gateway`, from: config.route && gatewayPeer(config.route) },
      { id: 'AllowMonitoring', name: `${APP_NAME}-from-monitoring`, from: config.serviceMonitor?.allowFrom },
    ];
    for (const c of callers) {
      if (!c.from) continue;
      new k8s.KubeNetworkPolicy(this, c.id, {
        metadata: metadata(c.name),
        spec: {
          podSelector: { matchLabels: api },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [peer(c.from)],
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(HTTP_PORT) }],
            },
          ],
        },
      });
    }

    const dnsPorts: k8s.NetworkPolicyPort[] = ['UDP', 'TCP'].map((protocol) => ({
      protocol,
      port: k8s.IntOrString.fromNumber(config.dns.port),
    }));
    const dns: PeerConfig = { namespace: config.dns.namespace, podLabels: config.dns.podLabels };
    const dbPorts: k8s.NetworkPolicyPort[] = [
      { protocol: 'TCP', port: k8s.IntOrString.fromNumber(config.database.port) },
    ];
    new k8s.KubeNetworkPolicy(this, 'AllowEgress', {
      metadata: metadata(`${APP_NAME}-egress`),
      spec: {
        podSelector: { matchLabels: backend },
        policyTypes: ['Egress'],
        egress: [
          { to: [peer(dns)], ports: dnsPorts },
          { to: [peer(config.database.egress)], ports: dbPorts },
        ],
      },
    });

    // the default deny above covers every pod of the namespace: a peer that runs here too (the
    // database in dev) must also let our pods in, or the egress allowed above goes nowhere
    const inNamespace = [
      { id: 'AllowDatabaseIngress', name: `${APP_NAME}-to-database`, to: config.database.egress, ports: dbPorts },
      { id: 'AllowDnsIngress', name: `${APP_NAME}-to-dns`, to: dns, ports: dnsPorts },
    ].filter((p) => p.to.namespace === config.namespace);
    for (const p of inNamespace) {
      new k8s.KubeNetworkPolicy(this, p.id, {
        metadata: metadata(p.name),
        spec: {
          podSelector: { matchLabels: p.to.podLabels ?? {} },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: backend } }], ports: p.ports }],
        },
      });
    }
  }
}

function peer(p: PeerConfig): k8s.NetworkPolicyPeer {
  if (p.cidr) return { ipBlock: { cidr: p.cidr } };
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace! } },
    ...(p.podLabels ? { podSelector: { matchLabels: p.podLabels } } : {}),
  };
}

/** the gateway's proxies: where the config says, or every pod of the Gateway's namespace */
export function gatewayPeer(route: RouteConfig): PeerConfig {
  return route.allowFrom ?? { namespace: route.gateway.namespace };
}
