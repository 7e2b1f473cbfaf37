/**
 * What the API server refuses although the OpenAPI schema allows it: the object-level validation
 * of Kubernetes (pkg/apis/core/validation, pkg/apis/apps|batch/validation and
 * apimachinery/pkg/util/validation), for the kinds and fields this project emits. A manifest that
 * fails here would be rejected at sync time, so the synth refuses it first.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
import { CRON_JOB_NAME_LIMIT } from './constructs/cron-schedule';
import { MAX_ID } from './cluster-reserved';
import { podTemplates } from './policy/pods';
import { quantityValue } from './quantity';
import { objectRef, type Manifest, type Violation } from './policy/types';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

type Check = (value: string) => string | undefined;

export const dns1123Label: Check = (v) =>
  v.length <= 63 && DNS1123_LABEL.test(v)
    ? undefined
    : 'a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit';
export const dns1123Subdomain: Check = (v) =>
  v.length <= 253 && DNS1123_SUBDOMAIN.test(v)
    ? undefined
    : 'a DNS-1123 subdomain: at most 253 lowercase letters, digits, "-" and ".", each part starting and ending with a letter or digit';
export const dns1035Label: Check = (v) =>
  v.length <= 63 && DNS1035_LABEL.test(v)
    ? undefined
    : 'a DNS-1035 label: at most 63 lowercase letters, digits and "-", starting with a letter, ending with a letter or digit';
export const labelValue: Check = (v) =>
  v.length <= 63 && LABEL_VALUE.test(v)
    ? undefined
    : 'a label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, or empty';
/** label and annotation keys: [prefix/]name */
export const qualifiedName: Check = (v) => {
  const slash = v.lastIndexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, v] : [v.slice(0, slash), v.slice(slash + 1)];
  if (prefix !== undefined && dns1123Subdomain(prefix))
    return 'a key whose prefix (before "/") is a DNS-1123 subdomain';
  return name.length <= 63 && QUALIFIED_NAME.test(name)
    ? undefined
    : 'a key whose name (after any "/") is at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
};
/** container port names (IANA service names), which probes and Services refer to */
export const portName: Check = (v) =>
  v.length >= 1 &&
  v.length <= 15 &&
  /^[-a-z0-9]+$/.test(v) &&
  /[a-z]/.test(v) &&
  !v.includes('--') &&
  !v.startsWith('-') &&
  !v.endsWith('-')
    ? undefined
    : 'a port name: at most 15 lowercase letters, digits and "-", with a letter, no "--", not starting or ending with "-"';
export const envVarName: Check = (v) =>
  ENV_VAR_NAME.test(v)
    ? undefined
    : 'an environment variable name: letters, digits, "_", "-" and ".", not starting with a digit';
export const configMapKey: Check = (v) =>
  v.length <= 253 && CONFIG_MAP_KEY.test(v) && v !== '.' && v !== '..' && !v.startsWith('..')
    ? undefined
    : 'a ConfigMap key: at most 253 letters, digits, "-", "_" and ".", not "." or starting with ".."';

/** the most bytes an object's annotations may take, keys and values together (apimachinery's TotalAnnotationSizeLimitB) */
export const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

/** annotations' size as ValidateAnnotationsSize counts it: the UTF-8 bytes of every key and value */
export function annotationsSize(annotations: Readonly<Record<string, string>>): number {
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  return size;
}

/** what the API server allows of annotations this size, when it does not allow them */
export const annotationsWithinLimit = (annotations: Readonly<Record<string, string>>): string | undefined =>
  annotationsSize(annotations) <= ANNOTATIONS_SIZE_LIMIT
    ? undefined
    : `at most ${ANNOTATIONS_SIZE_LIMIT} bytes (256 KiB) of annotation keys and values together`;

/** UIDs and GIDs: the schema says int64, apimachinery's IsValidUserID and IsValidGroupID an int32 of 0 or more */
export const userOrGroupId: Check = (v) =>
  Number.isInteger(Number(v)) && Number(v) >= 0 && Number(v) <= MAX_ID
    ? undefined
    : `an ID from 0 to ${MAX_ID} (an int32)`;

/** which rule names an object of each kind must follow */
const NAME_RULES: Readonly<Record<string, Check>> = {
  Namespace: dns1123Label,
  // Services become DNS names: <service>.<namespace>.svc
  Service: dns1035Label,
  // the Job controller labels its pods with the Job's name (batch.kubernetes.io/job-name)
  Job: (v) => labelValue(v) ?? dns1123Subdomain(v),
  // its Jobs are named <name>-<11 digits>, and a Job's name is a label value
  CronJob: (v) =>
    v.length > CRON_JOB_NAME_LIMIT
      ? `a name of at most ${CRON_JOB_NAME_LIMIT} characters: its Jobs add 11 and must stay label values`
      : dns1123Subdomain(v),
};

export const API_SERVER_CHECKS = [
  'api-name',
  'api-labels',
  'api-container',
  'api-ports',
  'api-env',
  'api-resources',
  'api-volumes',
  'api-config-keys',
  'api-annotations',
  'api-ids',
] as const;
type CheckId = (typeof API_SERVER_CHECKS)[number];

/** every way the API server would refuse this object, beyond its schema */
export function validateApiServer(m: Manifest): Violation[] {
  const out: Violation[] = [];
  const object = objectRef(m);
  const report = (rule: CheckId, field: string, value: unknown, problem: string | undefined, container?: string) => {
    if (problem)
      out.push({
        rule,
        object,
        ...(container ? { container } : {}),
        message: `${field}: got ${JSON.stringify(value)}; allowed: ${problem}`,
      });
  };

  const name = m.metadata?.name ?? '';
  report('api-name', 'metadata.name', name, (NAME_RULES[m.kind ?? ''] ?? dns1123Subdomain)(name));

  const labelMaps: Array<[string, Record<string, string> | undefined]> = [['metadata.labels', m.metadata?.labels]];
  for (const [field, selector] of [
    ['spec.selector.matchLabels', m.spec?.selector?.matchLabels],
    ['spec.podSelector.matchLabels', m.spec?.podSelector?.matchLabels],
  ] as const) {
    labelMaps.push([field, selector]);
  }
  if (m.kind === 'Service') labelMaps.push(['spec.selector', m.spec?.selector]);
  for (const pod of podTemplates([m])) labelMaps.push(['spec.template.metadata.labels', pod.metadata.labels]);
  for (const [field, map] of labelMaps) {
    for (const [k, v] of Object.entries(map ?? {})) {
      report('api-labels', `${field} key`, k, qualifiedName(k));
      report('api-labels', `${field}.${k}`, v, typeof v === 'string' ? labelValue(v) : 'a string');
    }
  }
  for (const k of Object.keys(m.metadata?.annotations ?? {}))
    report('api-labels', 'metadata.annotations key', k, qualifiedName(k));
  // the API server checks the size of every ObjectMeta, a pod template's included
  for (const [field, annotations] of [
    ['metadata.annotations', m.metadata?.annotations],
    ...podTemplates([m]).map((p) => ['spec.template.metadata.annotations', p.metadata.annotations] as const),
  ] as const) {
    if (annotations)
      report('api-annotations', `${field} size`, annotationsSize(annotations), annotationsWithinLimit(annotations));
  }

  if (m.kind === 'ConfigMap')
    for (const k of Object.keys(m.data ?? {})) report('api-config-keys', 'data key', k, configMapKey(k));

  if (m.kind === 'Service') {
    const ports: any[] = m.spec?.ports ?? [];
    ports.forEach((p, i) => {
      if (p.name !== undefined) report('api-ports', `spec.ports[${i}].name`, p.name, dns1123Label(p.name));
      else if (ports.length > 1)
        report('api-ports', `spec.ports[${i}].name`, p.name, 'a name: a Service with several ports names each');
    });
  }

  for (const pod of podTemplates([m])) {
    const spec = pod.spec;
    const podContext = spec.securityContext ?? {};
    for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
      const id = podContext[field];
      if (id !== undefined) report('api-ids', `securityContext.${field}`, id, userOrGroupId(String(id)));
    }
    ((podContext.supplementalGroups ?? []) as unknown[]).forEach((id, i) =>
      report('api-ids', `securityContext.supplementalGroups[${i}]`, id, userOrGroupId(String(id))),
    );
    const volumes: any[] = spec.volumes ?? [];
    const volumeNames = volumes.map((v) => v.name);
    volumes.forEach((v, i) => {
      report('api-volumes', `volumes[${i}].name`, v.name, dns1123Label(v.name ?? ''));
      if (volumeNames.indexOf(v.name) !== i)
        report('api-volumes', `volumes[${i}].name`, v.name, 'a name no other volume of the pod has');
    });
    const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    const containerNames = containers.map((c) => c.name);
    containers.forEach((c, i) => {
      // the violation names the container; the field is relative to it
      const rep = (rule: CheckId, field: string, value: unknown, problem: string | undefined) =>
        report(rule, field, value, problem, c.name ?? '?');
      rep('api-container', 'name', c.name, dns1123Label(c.name ?? ''));
      for (const field of ['runAsUser', 'runAsGroup'] as const) {
        const id = c.securityContext?.[field];
        if (id !== undefined) rep('api-ids', `securityContext.${field}`, id, userOrGroupId(String(id)));
      }
      if (containerNames.indexOf(c.name) !== i)
        rep('api-container', 'name', c.name, 'a name no other container or init container of the pod has');

      const portNames = new Set<string>();
      (c.ports ?? []).forEach((p: any, j: number) => {
        if (p.name === undefined) return;
        rep('api-ports', `ports[${j}].name`, p.name, portName(p.name));
        if (portNames.has(p.name))
          rep('api-ports', `ports[${j}].name`, p.name, 'a name no other port of the container has');
        portNames.add(p.name);
      });
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
        if (typeof port === 'string')
          rep(
            'api-ports',
            `${probe} port`,
            port,
            portName(port) ??
              (portNames.has(port)
                ? undefined
                : `the name of a port of the container (${[...portNames].join(', ') || 'none'})`),
          );
      }

      const envNames = new Set<string>();
      (c.env ?? []).forEach((e: any, j: number) => {
        rep('api-env', `env[${j}].name`, e.name, envVarName(e.name ?? ''));
        envNames.add(e.name);
        const key = e.valueFrom?.configMapKeyRef?.key ?? e.valueFrom?.secretKeyRef?.key;
        if (key !== undefined) rep('api-env', `env[${e.name}] key`, key, configMapKey(key));
      });
      (c.envFrom ?? []).forEach((e: any, j: number) => {
        if (e.prefix !== undefined) rep('api-env', `envFrom[${j}].prefix`, e.prefix, envVarName(e.prefix));
      });

      const mountPaths = new Set<string>();
      (c.volumeMounts ?? []).forEach((v: any, j: number) => {
        if (!volumeNames.includes(v.name))
          rep(
            'api-volumes',
            `volumeMounts[${j}].name`,
            v.name,
            `a volume of the pod (${volumeNames.join(', ') || 'none'})`,
          );
        if (mountPaths.has(v.mountPath))
          rep(
            'api-volumes',
            `volumeMounts[${j}].mountPath`,
            v.mountPath,
            'a path no other mount of the container uses',
          );
        mountPaths.add(v.mountPath);
      });

      const { requests = {}, limits = {} } = c.resources ?? {};
      for (const [resource, request] of Object.entries(requests as Record<string, string | number>)) {
        const limit = (limits as Record<string, string | number>)[resource];
        if (limit !== undefined && quantityValue(request) > quantityValue(limit)) {
          rep(
            'api-resources',
            `resources.requests.${resource}`,
            request,
            `at most the limit, ${JSON.stringify(limit)}`,
          );
        }
      }
    });
  }
  return out;
}
