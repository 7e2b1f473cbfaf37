/**
 * The proxies uvicorn trusts with X-Forwarded-For and X-Forwarded-Proto (its
 * --forwarded-allow-ips). With `*` it takes the left-most X-Forwarded-For entry, which the client
 * writes itself behind a proxy that appends (Envoy-based gateways, ingress-nginx by default); with
 * a list it walks the header from the right, past the trusted addresses, to the first one a
 * trusted proxy saw (uvicorn middleware/proxy_headers.py). CIDRs in the list need uvicorn 0.30 or
 * newer; an older one compares each entry as a literal address, so a CIDR trusts no one: the
 * client's address is then the proxy's, never a forged one.
 */
import { cidrProblem, GOOGLE_FRONT_END_RANGES, isTrustedIngressSource, parseCidr, PRIVATE_RANGES } from '../cidr';

export const FORWARDED_FLAG = '--forwarded-allow-ips';
/** uvicorn reads it when the command sets no --forwarded-allow-ips */
export const FORWARDED_ENV = 'FORWARDED_ALLOW_IPS';
/** every peer, in uvicorn's spelling */
export const TRUST_EVERY_PEER = '*';

/** the fields the trusted proxies follow from */
interface ProxyFields {
  readonly production: boolean;
  readonly app: { readonly trustedProxies?: readonly string[] };
  readonly allowIngressFrom?: readonly Peer[];
  readonly route?: { readonly allowFrom?: readonly Peer[] };
}
interface Peer {
  readonly cidr?: string;
  readonly except?: readonly string[];
}

/**
 * Whom uvicorn trusts: app.trustedProxies; else the proxies' peers when each is a CIDR (the
 * ingress controller's, the gateway's: what sends the headers); else, outside production, every
 * peer. Undefined in production when a peer is a namespace: its pods' addresses are unknown here,
 * so the config must name them (the cluster's pod CIDR, say), and a rule says so.
 */
export function trustedProxies(c: ProxyFields): readonly string[] | undefined {
  if (c.app.trustedProxies) return c.app.trustedProxies;
  // a route without allowFrom admits the Gateway's namespace: pods, whose addresses are unknown
  const peers: readonly Peer[] = [...(c.allowIngressFrom ?? []), ...(c.route ? (c.route.allowFrom ?? [{}]) : [])];
  // a range with exceptions is not what it admits: named by hand, if at all
  const cidrs = peers.map((p) => (p.except ? undefined : p.cidr));
  if (cidrs.length > 0 && cidrs.every((cidr) => cidr !== undefined)) return cidrs as string[];
  return c.production ? undefined : [TRUST_EVERY_PEER];
}

/** what is wrong with one entry of a trusted list, if anything */
export function trustedEntryProblem(entry: string, production: boolean): string | undefined {
  if (entry === TRUST_EVERY_PEER)
    return production
      ? "every peer in a production environment: uvicorn would take the client address from the left-most X-Forwarded-For entry, which the client writes itself; allowed: the proxies' addresses or CIDRs"
      : undefined;
  // a single address is its own /32 or /128
  const text = entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`;
  const range = parseCidr(text);
  if (!range)
    return 'not an IP address or CIDR; allowed: an address such as 10.0.0.7, or a CIDR such as 10.244.0.0/16 or fd00:10::/64';
  const problem = cidrProblem(text);
  if (problem) return problem;
  // what a production ingress peer may admit, no more: the proxies must reach port 8000 to be trusted
  if (production && !isTrustedIngressSource(range))
    return `outside the ranges a production ingress peer may admit, so no proxy there reaches port 8000; allowed: a range inside ${PRIVATE_RANGES.join(', ')}, or inside Google's front ends ${GOOGLE_FRONT_END_RANGES.join(', ')} (GKE load balancers)`;
  return undefined;
}

/** the value of --forwarded-allow-ips in a command line, and the index of the word it is in */
export function forwardedAllowIps(argv: readonly string[]): { value: string; index: number } | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === FORWARDED_FLAG && i + 1 < argv.length) return { value: argv[i + 1], index: i + 1 };
    if (argv[i].startsWith(`${FORWARDED_FLAG}=`)) return { value: argv[i].slice(FORWARDED_FLAG.length + 1), index: i };
  }
  return undefined;
}

/** the entries of a comma-separated list as uvicorn splits it */
export function trustedEntries(value: string): string[] {
  return value.split(',').map((e) => e.trim());
}
