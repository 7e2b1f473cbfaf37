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
