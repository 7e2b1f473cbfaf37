/**
 * Kubernetes quantities (resource.Quantity), in one place for the config and the schema check.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

// a signed decimal number with an optional binary-SI (Ki..Ei), decimal-SI (n, u, m, k, M..E)
// or exponent (e3, E-2) suffix: what the API server parses
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** text the API server reads as a quantity; sign and zero included, as the API types allow both */
export function isQuantity(text: string): boolean {
  return QUANTITY.test(text);
}

/** a quantity above zero: what a request, a limit or a volume size in config must be */
export function isPositiveQuantity(text: string): boolean {
  const match = QUANTITY.exec(text);
  return match !== null && match[1] !== '-' && /[1-9]/.test(match[2]);
}
