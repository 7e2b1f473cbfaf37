/**
 * The peers the config names, as lists: DNS from `dns.peers`, or from `dns.namespace` and
 * `dns.podLabels` with their defaults.
 */
import { DEFAULT_DNS, type EnvironmentConfig, type PeerConfig } from './schema';

/** where the pods' DNS answers */
export function dnsPeers(c: EnvironmentConfig): PeerConfig[] {
  return (
    c.dns.peers ?? [
      {
        namespace: c.dns.namespace ?? DEFAULT_DNS.namespace,
        podLabels: c.dns.podLabels ?? { ...DEFAULT_DNS.podLabels },
      },
    ]
  );
}
