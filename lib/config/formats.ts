/**
 * The value formats of the config and its building blocks: names, images, quantities, labels,
 * network peers and where the GitOps engines find the output.
 */
import * as z from 'zod/mini';
import { parseCidr } from '../cidr';
import { MAX_ID } from '../cluster-reserved';
import { isPositiveQuantity, isQuantityAtLeast, MIN_CPU, MIN_MEMORY } from '../quantity';

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// OCI reference parts: registry[:port]/path and a tag
const IMAGE_REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// the shape of an IPv4 or IPv6 CIDR, for editors; parseCidr reads the address itself
const CIDR = /^[0-9A-Fa-f:.]+\/\d{1,3}$/;
export const FEATURE = /^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$/;
// Prometheus durations, as the Prometheus Operator CRDs take them: 30s, 1m30s, 2h
export const PROMETHEUS_DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;
// Gateway API hostnames: a DNS subdomain, optionally with a leading wildcard label
export const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const dnsLabel = z
  .string()
  .check(
    z.maxLength(63),
    z.regex(
      DNS_LABEL,
      'a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
    ),
  );
export const dnsSubdomain = z
  .string()
  .check(
    z.maxLength(253),
    z.regex(DNS_SUBDOMAIN, 'a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", at most 253 characters'),
  );
export const quantity = z
  .string()
  .check(
    z.refine(
      isPositiveQuantity,
      'a Kubernetes quantity above zero such as 100m, 0.5, 256Mi or 1Gi (binary suffixes Ki Mi Gi Ti, decimal k M G T; not "MB")',
    ),
  );
export const cpuQuantity = z
  .string()
  .check(
    z.refine(
      (q) => isQuantityAtLeast(q, MIN_CPU),
      `a Kubernetes quantity of CPU, at least ${MIN_CPU}, such as 100m, 0.5 or 2 (m is a thousandth of a CPU)`,
    ),
  );
export const memoryQuantity = z
  .string()
  .check(
    z.refine(
      (q) => isQuantityAtLeast(q, MIN_MEMORY),
      `a Kubernetes quantity of memory, at least ${MIN_MEMORY}, such as 256Mi or 1Gi (binary suffixes Ki Mi Gi Ti, decimal k M G T; not "MB")`,
    ),
  );
export const labels = z.record(
  z
    .string()
    .check(
      z.regex(
        LABEL_KEY,
        'a label key: [prefix/]name, the name at most 63 characters of letters, digits, "-", "_", "."',
      ),
    ),
  z
    .string()
    .check(
      z.maxLength(63),
      z.regex(LABEL_VALUE, 'a label value: at most 63 characters of letters, digits, "-", "_", "."'),
    ),
);
/** a whole number within bounds */
export const int = (min: number, max?: number) =>
  z.int().check(...(max === undefined ? [z.minimum(min)] : [z.minimum(min), z.maximum(max)]));
export const port = int(1, 65535);
/** a UID or GID: the API server takes an int32, and 0 is root */
export const id = int(1, MAX_ID);
export const intOrPercent = z.union(
  [int(0), z.string().check(z.regex(/^(100|[1-9]?\d)%$/, 'a percentage such as "25%"'))],
  { error: 'a whole number or a percentage such as "25%"' },
);

export const imageSchema = z.strictObject({
  /** registry and path, without tag or digest, e.g. `ghcr.io/acme/reviewpoint-backend` */
  repository: z
    .string()
    .check(
      z.regex(IMAGE_REPOSITORY, 'an image repository such as ghcr.io/acme/reviewpoint-backend, without tag or digest'),
    ),
  /** a pinned tag; `latest` is refused */
  tag: z.optional(
    z.string().check(
      z.regex(IMAGE_TAG, 'an image tag: letters, digits, "_", "." and "-", at most 128 characters'),
      z.refine((t) => t !== 'latest', 'a pinned tag: "latest" moves under your feet, so it is refused'),
    ),
  ),
  /** content digest; required in production */
  digest: z.optional(z.string().check(z.regex(IMAGE_DIGEST, 'a digest of the form sha256:<64 lowercase hex digits>'))),
});

export const resourcesSchema = z.strictObject({
  cpuRequest: z._default(cpuQuantity, '100m'),
  memoryRequest: z._default(memoryQuantity, '256Mi'),
  memoryLimit: z._default(memoryQuantity, '512Mi'),
  /** no CPU limit by default: CPU throttling hurts latency more than it protects neighbours */
  cpuLimit: z.optional(cpuQuantity),
});

const cidr = z.string().check(
  z.regex(CIDR, 'an IPv4 or IPv6 CIDR such as 10.20.0.0/16 or fd00:10::/64'),
  z.refine((v) => parseCidr(v) !== undefined, 'an IPv4 or IPv6 CIDR such as 10.20.0.0/16 or fd00:10::/64'),
);

/** who may talk to the pods, or whom the pods may talk to, in NetworkPolicy terms */
export const peerSchema = z.strictObject({
  /** an IPv4 or IPv6 CIDR, for peers outside the cluster (a managed database, a load balancer range) */
  cidr: z.optional(cidr),
  /** ranges inside `cidr` that are not the peer (a NetworkPolicy ipBlock's except) */
  except: z.optional(z.array(cidr).check(z.minLength(1))),
  /** the namespace of an in-cluster peer (matched on kubernetes.io/metadata.name) */
  namespace: z.optional(dnsLabel),
  /** labels of the peer pods inside `namespace` (all pods of the namespace when omitted) */
  podLabels: z.optional(labels),
});

/**
 * One peer or a list of them, read as a list: a single peer is the list of one, so a config
 * written for one peer keeps its meaning and its output.
 */
export const peers = z.pipe(
  z.union([peerSchema, z.array(peerSchema).check(z.minLength(1))], {
    error: 'a peer, { cidr, except } or { namespace, podLabels }, or a list of them',
  }),
  z.transform((p): Array<z.output<typeof peerSchema>> => (Array.isArray(p) ? p : [p])),
);

export const protocol = z.enum(['TCP', 'UDP', 'SCTP']);

/** one allow of top-level `egress`: to these peers, on these ports (never every port) */
/** the workloads an egress allow may be for: the app, a worker or a cron job by its config key */
export const EGRESS_TARGET = /^(app|workers\.[a-z0-9]([-a-z0-9]*[a-z0-9])?|cronJobs\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

export const egressRuleSchema = z.strictObject({
  to: peers,
  ports: z.array(z.strictObject({ port, protocol: z._default(protocol, 'TCP') })).check(z.minLength(1)),
  /**
   * whose pods it is for: `app`, `workers.<name>`, `cronJobs.<name>`; never the migration, which
   * needs DNS and the database only
   * @default [app]
   */
  appliesTo: z._default(
    z.array(z.string().check(z.regex(EGRESS_TARGET, 'app, workers.<name> or cronJobs.<name>'))).check(z.minLength(1)),
    ['app'],
  ),
});

/**
 * A placeholder (a documentation host): each project names its own GitOps repository, once in
 * config/_base.yaml; a real-looking default would point a copied project at someone else's
 */
const DEFAULT_REPO_URL = 'https://git.example.com/gitops.git';

/** where the GitOps engines read this environment from, and where their own objects live */
export const deliverySchema = z.strictObject({
  /** the Git repository dist/ is committed to */
  repoURL: z._default(
    z
      .string()
      .check(
        z.regex(
          /^(https:\/\/|ssh:\/\/|git@)\S+$/,
          'a Git URL such as https://github.com/acme/gitops.git or git@github.com:acme/gitops.git',
        ),
      ),
    DEFAULT_REPO_URL,
  ),
  /** the branch, tag or commit the engines follow */
  revision: z._default(z.string().check(z.minLength(1)), 'main'),
  /** the folder in that repository that holds dist/ (the environment's folder is <root>/<env>) */
  root: z._default(
    z
      .string()
      .check(
        z.regex(
          /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/,
          'a relative folder such as dist or deploy/dist, no leading ./ or /, no ..',
        ),
      ),
    'dist',
  ),
  argocd: z.prefault(
    z.strictObject({
      /** where Argo CD runs and looks for Applications */
      namespace: z._default(dnsLabel, 'argocd'),
      project: z._default(dnsSubdomain, 'default'),
      /** the cluster the Application deploys to */
      server: z._default(
        z.string().check(z.regex(/^https:\/\/\S+$/, 'an https:// API server URL')),
        'https://kubernetes.default.svc',
      ),
    }),
    {},
  ),
  flux: z.prefault(
    z.strictObject({
      /** where the Kustomizations live (and their GitRepository) */
      namespace: z._default(dnsLabel, 'flux-system'),
      /** the GitRepository holding this repository; `flux bootstrap` names it flux-system */
      sourceName: z._default(dnsSubdomain, 'flux-system'),
      /** how often Flux reconciles, a Go duration */
      interval: z._default(
        z.string().check(z.regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, 'a duration such as 10m or 1h30m')),
        '10m',
      ),
      /** the ServiceAccount Flux impersonates to apply the Kustomizations, in their namespace (multi-tenant lockdown); unset: the controller's own */
      serviceAccountName: z.optional(dnsSubdomain),
    }),
    {},
  ),
});
