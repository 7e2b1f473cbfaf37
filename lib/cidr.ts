/**
 * CIDRs read as addresses, IPv4 and IPv6, so the gate judges the range a NetworkPolicy peer
 * admits, not how it is spelled: `10.0.0.0/0` is every IPv4 address, as `0.0.0.0/0` is.
 * Parsed as Kubernetes parses them (no leading zeros in an IPv4 part, no zone in an IPv6 one).
 */

export interface Cidr {
  readonly version: 4 | 6;
  /** the address as written, host bits included */
  readonly address: bigint;
  readonly prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // a leading zero reads as octal to some parsers and as decimal to others: refused
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] | undefined => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  // an IPv4 address may end it (::ffff:10.0.0.1), standing for the last two groups
  const last = [...head, ...tail].at(-1);
  let v4: bigint | undefined;
  if (last?.includes('.')) {
    v4 = parseIPv4(last);
    if (v4 === undefined || (halves.length === 2 && tail.length === 0)) return undefined;
    (tail.length > 0 ? tail : head).pop();
  }
  const hex = [...head, ...tail];
  if (!hex.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  const width = hex.length + (v4 === undefined ? 0 : 2);
  if (halves.length === 2 ? width > 7 : width !== 8) return undefined;
  const zeros = 8 - width;
  let value = 0n;
  for (const g of [...head, ...Array<string>(halves.length === 2 ? zeros : 0).fill('0'), ...tail]) {
    value = (value << 16n) | BigInt(`0x${g}`);
  }
  return v4 === undefined ? value : (value << 32n) | v4;
}

/** a CIDR such as 10.20.0.0/16 or fd00::/8; undefined when it is not one */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!match) return undefined;
  const [, addr, bits] = match;
  const version = addr.includes(':') ? 6 : 4;
  const address = version === 4 ? parseIPv4(addr) : parseIPv6(addr);
  const prefix = Number(bits);
  if (address === undefined || prefix > BITS[version]) return undefined;
  return { version, address, prefix };
}

const mask = (c: Cidr): bigint => {
  const bits = BigInt(BITS[c.version]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(c.prefix))) - 1n);
};

/** the network: the address with its host bits cleared */
export function networkOf(c: Cidr): Cidr {
  return { ...c, address: c.address & mask(c) };
}

/** whether the address has bits set beyond the prefix (10.0.0.5/24) */
export function hasHostBits(c: Cidr): boolean {
  return (c.address & ~mask(c)) !== 0n;
}

/** the CIDR in canonical text: IPv4 dotted, IPv6 as RFC 5952 writes it */
export function formatCidr(c: Cidr): string {
  if (c.version === 4) {
    const parts = [24n, 16n, 8n, 0n].map((s) => String((c.address >> s) & 255n));
    return `${parts.join('.')}/${c.prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((c.address >> BigInt(112 - 16 * i)) & 0xffffn));
  // the longest run of two or more zero groups (the first of equals) becomes "::"
  let [start, length] = [-1, 1];
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > length) [start, length] = [i, j - i];
  }
  const hex = groups.map((g) => g.toString(16));
  const text =
    start === -1 ? hex.join(':') : `${hex.slice(0, start).join(':')}::${hex.slice(start + length).join(':')}`;
  return `${text}/${c.prefix}`;
}

/** whether every address of `inner` is in `outer` */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.version === inner.version &&
    outer.prefix <= inner.prefix &&
    (inner.address & mask(outer)) === networkOf(outer).address
  );
}

/** the private ranges: RFC 1918 for IPv4, unique local addresses (RFC 4193) for IPv6 */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];
const PRIVATE = PRIVATE_RANGES.map((r) => parseCidr(r)!);

/** whether the whole range is inside one private range */
export function isPrivate(c: Cidr): boolean {
  return PRIVATE.some((p) => contains(p, c));
}

/**
 * Google's front ends and health checkers: where a GKE Gateway or Ingress with container-native
 * load balancing sends requests to pods from. Public addresses, but only Google's load balancers
 * send from them, so a production ingress peer may name them.
 * @see https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges
 */
export const GOOGLE_FRONT_END_RANGES: readonly string[] = ['35.191.0.0/16', '130.211.0.0/22'];
const GOOGLE_FRONT_END = GOOGLE_FRONT_END_RANGES.map((r) => parseCidr(r)!);

/** whether a production ingress peer may admit the whole range: private, or inside Google's front ends */
export function isTrustedIngressSource(c: Cidr): boolean {
  return isPrivate(c) || GOOGLE_FRONT_END.some((g) => contains(g, c));
}

/**
 * What is wrong with a CIDR as a NetworkPolicy peer, if anything: not a CIDR, prefix 0 (every
 * address), or host bits set. Host bits are refused rather than cleared: `10.0.0.5/24` reads as one
 * host to its author and admits 256 to the cluster; the fix names which was meant.
 */
export function cidrProblem(text: string): string | undefined {
  const c = parseCidr(text);
  if (!c) return 'not an IPv4 or IPv6 CIDR; allowed: a CIDR such as 10.20.0.0/16 or fd00:10::/64';
  if (c.prefix === 0)
    return `prefix /0 is every ${c.version === 4 ? 'IPv4' : 'IPv6'} address; allowed: a prefix above 0`;
  if (hasHostBits(c)) {
    return `host bits are set beyond /${c.prefix}; allowed: the network ${formatCidr(networkOf(c))}, or /${BITS[c.version]} for the one address`;
  }
  return undefined;
}
