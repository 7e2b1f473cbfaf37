/**
 * Paths an Ingress or an HTTPRoute keeps from its clients: a prefix that wins over every path the
 * app is routed on, and answers without reaching a pod. Both APIs match a prefix by path elements
 * (`/a` matches `/a` and `/a/b`, not `/ab`), and among the paths that match a request both prefer
 * the longest, then Exact over a prefix; an HTTPRoute then prefers a match with a method, then
 * the one with more header matches. A routed path the block cannot win over is refused.
 * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#multiple-matches
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule
 */

/** how a routed path matches: the Ingress's and the Gateway API's path types */
export type RoutedPathType = 'Prefix' | 'Exact' | 'ImplementationSpecific' | 'PathPrefix' | 'RegularExpression';

/** whether `path` is `prefix` or a path beneath it, by path elements */
export function withinPrefix(path: string, prefix: string): boolean {
  const base = prefix.replace(/\/+$/, '');
  return path === base || path.startsWith(`${base}/`);
}

/** why a blocked path cannot be one; undefined when it can */
export function blockedPathProblem(path: string): string | undefined {
  if (!path.startsWith('/') || path === '/' || path.endsWith('/'))
    return 'allowed: an absolute path of at least one element, without a trailing "/", e.g. /metrics';
  return undefined;
}

/**
 * Why a routed path would win over a blocked prefix, or be judged against it by rules of the
 * implementation's own; undefined when the block wins wherever both match.
 */
export function blockedPathConflict(
  type: RoutedPathType,
  value: string,
  blocked: readonly string[],
): string | undefined {
  if (blocked.length === 0) return undefined;
  if (type === 'RegularExpression')
    return `a RegularExpression path, whose precedence over the blocked ${blocked.join(', ')} is the implementation's own; allowed: PathPrefix or Exact paths outside the blocked ones`;
  const inside = blocked.find((b) => withinPrefix(value, b));
  if (inside === undefined) return undefined;
  return `inside the blocked path ${inside}: ${type === 'Exact' ? 'an Exact path' : 'a prefix as long or longer'} wins over the block and would route it to the app; allowed: a path outside ${inside}`;
}
