/**
 * The policy for annotations: every annotation the config passes through (today
 * `ingress.annotations`) and every annotation of the rendered objects goes through
 * `annotationFindings`, judged by what its reader does with it: the ingress controller, the
 * GitOps engines, the API server.
 *
 * Keys are compared as the API server compares them, byte for byte (`Foo` and `foo` are two
 * annotations); a key's prefix is read as the controllers and engines read it: the domain and its
 * subdomains (`argocd.argoproj.io` is Argo CD's, so is `notifications.argoproj.io`). The name part
 * is matched without case: a controller that looks a name up exactly ignores a case variant, and
 * refusing that variant too costs nothing.
 */
import { annotationsSize, annotationsWithinLimit } from './api-server';
import { credentialIn } from './secret-names';

export interface AnnotationFinding {
  /** the annotation's key; undefined for a finding about all of them (their size) */
  readonly key?: string;
  readonly problem: string;
  readonly allowed: string;
}

export interface AnnotationPolicyOptions {
  /**
   * Control annotations of the engines that are allowed: the ones the synth writes itself and
   * the delivery check models (sync waves, the migration's hook, prune and force).
   * @default none: passed-through annotations never steer an engine
   */
  readonly engineKeys?: ReadonlySet<string>;
}

/**
 * The domains whose annotations steer how an object is applied: Argo CD (hook: Skip and the object
 * is never applied), Flux (prune, reconcile, ssa), Helm's hooks (Argo CD maps them onto its phases),
 * kustomize (`config.kubernetes.io/local-config` drops the object from the build) and kubectl
 * (`last-applied-configuration` drives its three-way merge).
 */
const ENGINE_DOMAINS: readonly string[] = [
  'argoproj.io',
  'fluxcd.io',
  'helm.sh',
  'config.kubernetes.io',
  'kustomize.config.k8s.io',
  'kubectl.kubernetes.io',
];

// raw proxy configuration, written verbatim into the controller's config: ingress-nginx's
// configuration-, server-, auth-, stream- and modsecurity-snippet (CVE-2021-25742, CVE-2023-5044,
// CVE-2025-1974), NGINX Inc's nginx.org/server-snippets and location-snippets, HAProxy's
// haproxy.org/backend-config-snippet: the same class under every prefix
const SNIPPET = /snippets?$/i;
// more host names for the same server block, outside the host-collision check of ingress.host
const ALIAS = /^server-alias(es)?$/i;

// the controllers that write annotation values into an nginx configuration
const NGINX_DOMAINS: readonly string[] = ['nginx.ingress.kubernetes.io', 'nginx.org'];
// what ends an nginx directive, opens or closes a block, starts a comment or a quoted string: the
// values of auth-url, mirror-target and auth-tls-match-cn that did so were CVE-2025-24514,
// CVE-2025-1098 and CVE-2025-1097, the injections behind CVE-2025-1974
const NGINX_SYNTAX = /[;{}#'"`\\\r\n]/;

const domainOf = (key: string): string | undefined => (key.includes('/') ? key.slice(0, key.indexOf('/')) : undefined);
const nameOf = (key: string): string => key.slice(key.indexOf('/') + 1);
const isEngineDomain = (domain: string) => ENGINE_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`));

/** every reason these annotations must not reach the cluster, one finding per reason */
export function annotationFindings(
  annotations: Readonly<Record<string, string>>,
  options: AnnotationPolicyOptions = {},
): AnnotationFinding[] {
  const findings: AnnotationFinding[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    const name = nameOf(key);
    const domain = domainOf(key);
    if (SNIPPET.test(name)) {
      findings.push({
        key,
        problem:
          'a configuration snippet: the ingress controller writes it verbatim into its proxy configuration, where it can read every secret the controller can',
        allowed: "the controller's dedicated annotations, or its own ConfigMap, which the cluster's admins own",
      });
    }
    if (domain !== undefined && NGINX_DOMAINS.includes(domain) && NGINX_SYNTAX.test(String(value))) {
      findings.push({
        key,
        problem: `its value has ${JSON.stringify(NGINX_SYNTAX.exec(String(value))![0])}, which ends or opens nginx configuration the controller writes the value into`,
        allowed: 'a value without ; { } # quotes, backslashes or line breaks',
      });
    }
    if (ALIAS.test(name)) {
      findings.push({
        key,
        problem: 'it serves more host names than ingress.host, outside the check that no two environments share a host',
        allowed: 'ingress.host, one host per environment',
      });
    }
    if (domain !== undefined && isEngineDomain(domain) && !options.engineKeys?.has(key)) {
      findings.push({
        key,
        problem: `a control annotation of ${domain}: it changes whether and how a GitOps engine applies the object, beyond what the delivery check models`,
        allowed: "none: the synth sets the engines' annotations itself",
      });
    }
    const credential = credentialIn(String(value));
    if (credential !== undefined) {
      findings.push({
        key,
        problem: `its value carries a credential in plain text (${credential})`,
        allowed: "a credential by reference, e.g. a Secret the controller reads (ingress-nginx's auth-secret)",
      });
    }
  }
  const tooLarge = annotationsWithinLimit(annotations);
  if (tooLarge) findings.push({ problem: `${annotationsSize(annotations)} bytes of annotations`, allowed: tooLarge });
  return findings;
}
