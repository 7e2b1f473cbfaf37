/**
 * NetworkPolicy closure: a default deny covers every pod of the namespace, so traffic our
 * policies let out to pods of the same namespace (the database in dev) must also be let into
 * those pods, or it goes nowhere.
 */
import { objectRef, type Manifest, type Violation } from '../policy/types';
import { labelSelectorMatches } from '../label-selector';
import { rule, type DeliveryRule } from './rule';

export const NETWORK_CLOSURE: DeliveryRule = rule(
  'network-closure',
  'traffic our policies let out to pods of the same namespace is also let into those pods',
  (m) => networkClosure(m.objects),
);

/** does a peer of a rule stand for pods of namespace `ns` (no namespace selector: the policy's own)? */
const inNamespace = (peer: any, ns: string) =>
  peer.namespaceSelector === undefined || peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] === ns;

/** does an ingress rule let pods with `source` labels of namespace `ns` in on `port`? */
function admits(allow: any, ns: string, source: Record<string, string>, port: any): boolean {
  const from: any[] = allow.from ?? [];
  const ports: any[] = allow.ports ?? [];
  const fromOk =
    from.length === 0 ||
    from.some((f) => !f.ipBlock && inNamespace(f, ns) && labelSelectorMatches(f.podSelector ?? {}, source));
  const portOk =
    ports.length === 0 ||
    port.port === undefined ||
    ports.some((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
  return fromOk && portOk;
}

function networkClosure(objects: readonly Manifest[]): Violation[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const out: Violation[] = [];
  for (const p of policies) {
    const ns = p.metadata?.namespace ?? '';
    // the pods this policy lets out, as the labels its selector requires
    const source: Record<string, string> = p.spec?.podSelector?.matchLabels ?? {};
    for (const [i, egress] of (p.spec?.egress ?? []).entries()) {
      for (const peer of egress.to ?? []) {
        if (peer.ipBlock || !inNamespace(peer, ns)) continue;
        // the pods it lets them reach, as the labels the peer requires
        const target: Record<string, string> = peer.podSelector?.matchLabels ?? {};
        const guarding = policies.filter(
          (q) =>
            q.metadata?.namespace === ns &&
            (q.spec?.policyTypes ?? []).includes('Ingress') &&
            labelSelectorMatches(q.spec?.podSelector ?? {}, target),
        );
        // no policy isolates those pods for ingress: everything gets in
        if (guarding.length === 0) continue;
        for (const port of egress.ports ?? [{}]) {
          if (guarding.some((q) => (q.spec?.ingress ?? []).some((allow: any) => admits(allow, ns, source, port))))
            continue;
          const on = port.port !== undefined ? ` on ${port.protocol ?? 'TCP'} ${port.port}` : '';
          out.push({
            rule: 'network-closure',
            object: objectRef(p),
            message:
              `spec.egress[${i}] lets pods ${JSON.stringify(source)} reach pods ${JSON.stringify(target)} of namespace ${ns}${on}, ` +
              `but ${guarding.map(objectRef).join(', ')} admit${guarding.length === 1 ? 's' : ''} no such traffic into them`,
          });
        }
      }
    }
  }
  return out;
}
