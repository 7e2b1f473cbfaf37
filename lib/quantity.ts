/**
 * Kubernetes quantities (resource.Quantity), in one place for the config and the schema check.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

// a signed decimal number with an optional binary-SI (Ki..Ei), decimal-SI (n, u, m, k, M..E)
// or exponent (e3, E-2) suffix: what the API server parses
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

const FACTORS: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** text the API server reads as a quantity; sign and zero included, as the API types allow both */
export function isQuantity(text: string): boolean {
  return QUANTITY.test(text);
}

/** a quantity above zero: what a request, a limit or a volume size in config must be */
export function isPositiveQuantity(text: string): boolean {
  const match = QUANTITY.exec(text);
  return match !== null && match[1] !== '-' && /[1-9]/.test(match[2]);
}

/** a quantity as a number, precise enough to compare a request with its limit */
export function quantityValue(q: string | number): number {
  if (typeof q === 'number') return q;
  const match = QUANTITY.exec(q);
  if (!match) throw new Error(`not a quantity: ${JSON.stringify(q)}`);
  const [, sign, digits, suffix = ''] = match;
  const value = /^[eE]/.test(suffix) ? Number(digits + suffix) : Number(digits) * FACTORS[suffix];
  return sign === '-' ? -value : value;
}

/**
 * The least CPU a request or limit may ask for: a thousandth of a CPU. Kubernetes takes no finer
 * precision, and the kubelet turns CPU into cgroup weights and quotas in millicores, rounding up.
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#meaning-of-cpu
 */
export const MIN_CPU = '1m';
/**
 * The least memory a request or limit may ask for. A limit is the container's cgroup memory.max:
 * below a few MiB the runtime refuses it (Docker's floor is 6MB) or the kernel kills the first
 * process as it starts, and a Python interpreter alone takes 8 to 13 MiB (3.11). 16Mi is below any
 * process serving HTTP, and far above what a unit left out makes of a size: "512" is 512
 * bytes, "512Ki" half a MiB.
 */
export const MIN_MEMORY = '16Mi';

/** a quantity of at least `min` */
export function isQuantityAtLeast(text: string, min: string): boolean {
  return isPositiveQuantity(text) && quantityValue(text) >= quantityValue(min);
}
