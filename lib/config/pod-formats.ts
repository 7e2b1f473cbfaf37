/**
 * The config's pod fields in Kubernetes' own shapes: annotations, tolerations, affinity, env and
 * envFrom, probes. What one field decides is checked here; what depends on other fields (managed
 * names, secret-looking names, production) is in rules.ts, and the cross-field checks of the
 * Kubernetes types themselves are the construct library's (scheduling.ts, probes.ts).
 */
import * as z from 'zod/mini';
import {
  LABEL_SELECTOR_OPERATORS,
  NODE_SELECTOR_OPERATORS,
  TAINT_EFFECTS,
  TOLERATION_OPERATORS,
} from '../constructs/scheduling';
import { quantityValue } from '../quantity';
import { ENV_NAME, LABEL_KEY, dnsLabel, dnsSubdomain, int, labels, port, quantity } from './formats';

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** the downward-API fields the API server allows in env (validEnvDownwardAPIFieldPathExpressions) */
const ENV_FIELD_PATH =
  /^(metadata\.(name|namespace|uid)|metadata\.(labels|annotations)\['([^']+)'\]|spec\.(nodeName|serviceAccountName)|status\.(hostIP|hostIPs|podIP|podIPs))$/;
const RESOURCES = [
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
] as const;
// the divisors the API server accepts: 1m or 1 for CPU, a power of 1000 or 1024 for bytes
const CPU_DIVISORS = [0.001, 1];
const BYTE_DIVISORS = [0, 1, 2, 3, 4, 5, 6].flatMap((e) => [1000 ** e, 1024 ** e]);

export const annotationKey = z
  .string()
  .check(z.regex(LABEL_KEY, 'an annotation key: [prefix/]name, the name at most 63 characters'));
export const annotations = z.record(annotationKey, z.string());

const nodeSelectorRequirement = z.strictObject({
  key: z.string().check(z.minLength(1)),
  operator: z.enum(NODE_SELECTOR_OPERATORS),
  values: z.optional(z.array(z.string())),
});
const nodeSelectorTerm = z.strictObject({
  matchExpressions: z.optional(z.array(nodeSelectorRequirement)),
  matchFields: z.optional(z.array(nodeSelectorRequirement)),
});
const labelSelector = z.strictObject({
  matchLabels: z.optional(labels),
  matchExpressions: z.optional(
    z.array(
      z.strictObject({
        key: z.string().check(z.regex(LABEL_KEY, 'a label key')),
        operator: z.enum(LABEL_SELECTOR_OPERATORS),
        values: z.optional(z.array(z.string())),
      }),
    ),
  ),
});
const podAffinityTerm = z.strictObject({
  labelSelector: z.optional(labelSelector),
  namespaceSelector: z.optional(labelSelector),
  namespaces: z.optional(z.array(dnsLabel)),
  topologyKey: z.string().check(z.regex(LABEL_KEY, 'a node label key such as topology.kubernetes.io/zone')),
});
const weight = int(1, 100);
const podAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.optional(z.array(podAffinityTerm)),
  preferredDuringSchedulingIgnoredDuringExecution: z.optional(z.array(z.strictObject({ weight, podAffinityTerm }))),
});

/** the Kubernetes Affinity type, key for key */
export const affinitySchema = z.strictObject({
  nodeAffinity: z.optional(
    z.strictObject({
      requiredDuringSchedulingIgnoredDuringExecution: z.optional(
        z.strictObject({ nodeSelectorTerms: z.array(nodeSelectorTerm) }),
      ),
      preferredDuringSchedulingIgnoredDuringExecution: z.optional(
        z.array(z.strictObject({ weight, preference: nodeSelectorTerm })),
      ),
    }),
  ),
  podAffinity: z.optional(podAffinity),
  podAntiAffinity: z.optional(podAffinity),
});

export const tolerationSchema = z.strictObject({
  key: z.optional(z.string().check(z.regex(LABEL_KEY, 'a taint key: [prefix/]name'))),
  operator: z._default(z.enum(TOLERATION_OPERATORS), 'Equal'),
  value: z.optional(z.string()),
  /** every effect when left out */
  effect: z.optional(z.enum(TAINT_EFFECTS)),
  /** NoExecute only: how long the pods stay on a node after the taint appears */
  tolerationSeconds: z.optional(int(0)),
});

const keyRef = z.strictObject({
  name: dnsSubdomain,
  key: z
    .string()
    .check(
      z.maxLength(253),
      z.regex(CONFIG_MAP_KEY, 'a key of the Secret or ConfigMap: letters, digits, "-", "_", "."'),
    ),
  optional: z.optional(z.boolean()),
});
const exactlyOne = (keys: readonly string[]) =>
  z.refine(
    (o: unknown) => keys.filter((k) => (o as Record<string, unknown>)[k] !== undefined).length === 1,
    `exactly one of ${keys.join(', ')}`,
  );

const VALUE_FROM = ['secretKeyRef', 'configMapKeyRef', 'fieldRef', 'resourceFieldRef'] as const;

/** one variable, as a container's env takes it */
export const envVarSchema = z
  .strictObject({
    name: z
      .string()
      .check(z.regex(ENV_NAME, 'an environment variable name: letters, digits and "_", not starting with a digit')),
    value: z.optional(z.string()),
    valueFrom: z.optional(
      z
        .strictObject({
          secretKeyRef: z.optional(keyRef),
          configMapKeyRef: z.optional(keyRef),
          /** the pod's own fields (the downward API), e.g. metadata.name for POD_NAME */
          fieldRef: z.optional(
            z.strictObject({
              fieldPath: z.string().check(
                z.refine((p) => {
                  const key = ENV_FIELD_PATH.exec(p)?.[4];
                  return ENV_FIELD_PATH.test(p) && (key === undefined || LABEL_KEY.test(key));
                }, "one of metadata.name, metadata.namespace, metadata.uid, metadata.labels['<key>'], metadata.annotations['<key>'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP, status.podIPs"),
              ),
              apiVersion: z.optional(z.literal('v1')),
            }),
          ),
          /** the container's own requests or limits */
          resourceFieldRef: z.optional(
            z
              .strictObject({ resource: z.enum(RESOURCES), divisor: z.optional(quantity) })
              .check(
                z.refine(
                  (r) =>
                    r.divisor === undefined ||
                    (r.resource.endsWith('.cpu') ? CPU_DIVISORS : BYTE_DIVISORS).includes(quantityValue(r.divisor)),
                  'a divisor of 1m or 1 for CPU; 1, 1k, 1M, 1G, 1T, 1P, 1E or 1Ki ... 1Ei for memory and ephemeral storage',
                ),
              ),
          ),
        })
        .check(exactlyOne(VALUE_FROM)),
    ),
  })
  .check(exactlyOne(['value', 'valueFrom']));

const sourceRef = z.strictObject({ name: dnsSubdomain, optional: z.optional(z.boolean()) });
/** every key of a Secret or ConfigMap as a variable */
export const envFromSchema = z
  .strictObject({
    /** put before each key's name */
    prefix: z.optional(
      z.string().check(z.regex(ENV_NAME, 'an environment variable name prefix: letters, digits and "_"')),
    ),
    secretRef: z.optional(sourceRef),
    configMapRef: z.optional(sourceRef),
  })
  .check(exactlyOne(['secretRef', 'configMapRef']));

const seconds = (min: number) => z.optional(int(min));
const timings = {
  path: z.optional(z.string().check(z.regex(/^\/\S*$/, 'an HTTP path starting with "/"'))),
  periodSeconds: seconds(1),
  timeoutSeconds: seconds(1),
  failureThreshold: seconds(1),
  initialDelaySeconds: seconds(0),
};

/** the probes of the app: a path and port for startup and readiness, and each probe's own timings */
export const probesSchema = z.strictObject({
  /** @default /api/v1/metrics: no API key, no feature flag, no database round trip */
  path: timings.path,
  /** the container's port, by name (`http`) or number (8000) @default http */
  port: z.optional(
    z.union([port, z.string().check(z.regex(PORT_NAME, 'a port name'))], {
      error: 'a port number or the name of a port of the container',
    }),
  ),
  /** @default every 5 s, 3 s timeout, up to 36 failures: 3 minutes to start */
  startup: z.optional(z.strictObject(timings)),
  /** @default every 10 s, 3 s timeout, out after 3 failures, in after 1 success */
  readiness: z.optional(z.strictObject({ ...timings, successThreshold: seconds(1) })),
  /**
   * a TCP connect to the port, apart from readiness (kube-score: the same path and port for both
   * is critical), unless it names a path of its own
   * @default every 20 s, 5 s timeout, restarted after 3 failures
   */
  liveness: z.optional(z.strictObject(timings)),
});
