/**
 * The Mermaid flowchart of the README: the pods, the peers the NetworkPolicies let them talk to
 * (solid arrows, with the ports), and the routing from Ingress or HTTPRoute to the Service to the
 * pods (dotted arrows).
 */
import { dnsPeers, type EnvironmentConfig, type PeerConfig } from '../config';
import { HTTP_PORT } from '../app/labels';
import type { KubeObject } from '../kube-object';
import { labelSelectorMatches, serviceSelectorMatches } from '../label-selector';
import { callers, peerText } from './tables';
import type { Labels, Workload } from './workloads';

interface Peer {
  ipBlock?: { cidr: string; except?: string[] };
  namespaceSelector?: { matchLabels?: Labels };
  podSelector?: { matchLabels?: Labels };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: Array<{ protocol?: string; port?: number | string }>;
}

function fromPolicyPeer(p: Peer, namespace: string): PeerConfig {
  if (p.ipBlock) return { cidr: p.ipBlock.cidr, except: p.ipBlock.except };
  return {
    namespace: p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? namespace,
    podLabels: p.podSelector?.matchLabels,
  };
}

export function diagram(
  config: EnvironmentConfig,
  objects: readonly KubeObject[],
  workloads: readonly Workload[],
): string[] {
  const roles = new Map<string, string>([
    ...callers(config).map(([peer, who]): [string, string] => [
      peerText(peer),
      `${who}, allowed in on port ${HTTP_PORT}`,
    ]),
    ...config.egress.flatMap((e) =>
      e.to.map((p): [string, string] => [peerText(p), `egress of ${e.appliesTo.join(', ')}`]),
    ),
    ...config.database.egress.map((p): [string, string] => [peerText(p), 'database']),
    ...dnsPeers(config).map((p): [string, string] => [peerText(p), 'DNS']),
  ]);
  const nodes: string[] = [];
  const edges = new Set<string>();
  const peerIds = new Map<string, string>();
  const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

  for (const w of workloads) {
    const init = w.pod.initContainers?.map((c) => c.name).join(', ');
    nodes.push(
      `  ${w.id}[${label(`pods of ${w.object.kind} ${w.object.metadata.name}${init ? `<br/>init container: ${init}` : ''}`)}]`,
    );
  }
  /** the workloads a selector in our namespace picks, or else a peer node */
  const ends = (peer: PeerConfig): string[] => {
    if (peer.namespace === config.namespace) {
      const ours = workloads
        .filter((w) => labelSelectorMatches({ matchLabels: peer.podLabels }, w.labels))
        .map((w) => w.id);
      if (ours.length > 0) return ours;
    }
    const text = peerText(peer);
    let id = peerIds.get(text);
    if (!id) {
      id = `peer${peerIds.size + 1}`;
      peerIds.set(text, id);
      const role = roles.get(text);
      const body = label(role ? `${role}<br/>${text}` : text);
      nodes.push(role === 'database' ? `  ${id}[(${body})]` : `  ${id}[${body}]`);
    }
    return [id];
  };
  const ports = (rule: Rule) =>
    (rule.ports ?? []).map((p) => `${p.protocol ?? 'TCP'} ${p.port ?? 'any'}`).join(', ') || 'any port';

  for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const spec = policy.spec as { podSelector?: { matchLabels?: Labels }; ingress?: Rule[]; egress?: Rule[] };
    const selected = ends({ namespace: config.namespace, podLabels: spec.podSelector?.matchLabels ?? {} });
    for (const rule of spec.ingress ?? []) {
      for (const from of (rule.from ?? []).flatMap((p) => ends(fromPolicyPeer(p, config.namespace)))) {
        for (const to of selected) edges.add(`  ${from} -->|${label(ports(rule))}| ${to}`);
      }
    }
    for (const rule of spec.egress ?? []) {
      for (const to of (rule.to ?? []).flatMap((p) => ends(fromPolicyPeer(p, config.namespace)))) {
        for (const from of selected) edges.add(`  ${from} -->|${label(ports(rule))}| ${to}`);
      }
    }
  }

  const routes: string[] = [];
  const service = objects.find((o) => o.kind === 'Service');
  if (service) {
    nodes.push(`  service[${label(`Service ${service.metadata.name}`)}]`);
    const selector = (service.spec as { selector?: Labels }).selector;
    for (const w of workloads.filter((x) => serviceSelectorMatches(selector, x.labels)))
      routes.push(`  service -.-> ${w.id}`);
  }
  const ingress = objects.find((o) => o.kind === 'Ingress');
  if (ingress) {
    const hosts = ((ingress.spec as { rules?: Array<{ host?: string }> }).rules ?? []).map((r) => r.host).join(', ');
    nodes.push(`  ingress[${label(`Ingress ${ingress.metadata.name}<br/>${hosts}`)}]`);
    routes.unshift('  ingress -.-> service');
  }
  const route = objects.find((o) => o.kind === 'HTTPRoute');
  if (route) {
    nodes.push(
      `  route[${label(`HTTPRoute ${route.metadata.name}<br/>${((route.spec as { hostnames?: string[] }).hostnames ?? []).join(', ')}`)}]`,
    );
    routes.unshift('  route -.-> service');
  }
  return ['flowchart LR', ...nodes, ...routes, ...edges];
}
