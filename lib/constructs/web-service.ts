/**
 * How the pods are reached: a ClusterIP Service on the `http` port, and an Ingress where asked
 * (an HTTPRoute is http-route.ts's). Paths the Ingress blocks go to the Service's `blocked` port,
 * whose target port no container declares: the EndpointSlice controller lists no endpoint for
 * it, so the controller has nowhere to send them (ingress-nginx answers 503).
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 * @see https://kubernetes.io/docs/concepts/services-networking/ingress/
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { blockedPathConflict, blockedPathProblem } from './blocked-paths';

/**
 * the Service port of blocked paths, and its target port's name, which no container declares;
 * its number matters to no one (9 is the discard service's)
 */
export const BLOCKED_PORT = { name: 'blocked', port: 9 } as const;

/** a path of an Ingress rule, sent to the Service */
export interface IngressPath {
  /** an absolute path, e.g. `/api` */
  readonly path: string;
  /**
   * how `path` matches: `Prefix` by path elements, `Exact`, or as the controller reads it
   * @default Prefix
   * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types
   */
  readonly pathType?: 'Prefix' | 'Exact' | 'ImplementationSpecific';
}

/** a host name and the paths the Ingress sends to the Service for it */
export interface IngressHost {
  readonly host: string;
  /** @default `/`, Prefix: every path */
  readonly paths?: readonly IngressPath[];
}

/** give `host` or `hosts` */
export interface IngressProps {
  /** the one host name the Ingress answers for, on every path @default none: `hosts` */
  readonly host?: string;
  /** host names with their paths, in place of `host` @default none: `host` */
  readonly hosts?: readonly IngressHost[];
  /** @default the cluster's default IngressClass */
  readonly className?: string;
  /** a TLS Secret for every host, in the namespace @default no TLS */
  readonly tlsSecretName?: string;
  /** controller annotations, e.g. a body size limit @default none */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * path prefixes sent, on every host, to the Service's `blocked` port, which has no endpoints:
   * the longer prefix wins over the hosts' paths, and a path inside one is refused (an Exact or
   * longer path would win). Controllers that drop a path whose backend has no endpoints (Traefik
   * unless `allowEmptyServices`) send it to the next matching path instead
   * @default none
   */
  readonly blockedPaths?: readonly string[];
}

export interface WebServiceProps {
  /** the name of the Service, and of the Ingress */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** the labels of the pods behind the Service */
  readonly selector: Readonly<Record<string, string>>;
  /** the Service's port, sent to the pods' port named `http` */
  readonly port: number;
  /** an Ingress to the Service @default no Ingress */
  readonly ingress?: IngressProps;
}

export class WebService extends Construct {
  public readonly service: ApiObject;
  public readonly ingress?: ApiObject;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    if (Object.keys(props.selector).length === 0)
      throw new Error(
        `service "${props.name}": selector got {}; allowed: at least one label (an empty one selects no pod)`,
      );
    const metadata = { name: props.name, namespace: props.namespace, labels: { ...props.labels } };

    const blocked = props.ingress?.blockedPaths ?? [];
    const port = (name: string, number: number) => ({
      name,
      port: number,
      targetPort: k8s.IntOrString.fromString(name),
      protocol: 'TCP',
    });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: { ...props.selector },
        ports: [port('http', props.port), ...(blocked.length > 0 ? [port(BLOCKED_PORT.name, BLOCKED_PORT.port)] : [])],
      },
    });

    if (props.ingress) {
      const { className, tlsSecretName, annotations = {} } = props.ingress;
      const hosts = ingressHosts(props.name, props.ingress);
      const backend = { service: { name: props.name, port: { name: 'http' } } };
      const nowhere = { service: { name: props.name, port: { name: BLOCKED_PORT.name } } };
      this.ingress = new k8s.KubeIngress(this, 'Ingress', {
        metadata: { ...metadata, annotations: Object.keys(annotations).length > 0 ? { ...annotations } : undefined },
        spec: {
          ingressClassName: className,
          tls: tlsSecretName ? [{ hosts: hosts.map((h) => h.host), secretName: tlsSecretName }] : undefined,
          rules: hosts.map((h) => ({
            host: h.host,
            http: {
              paths: [
                ...(h.paths ?? [{ path: '/' }]).map((p) => ({
                  path: p.path,
                  pathType: p.pathType ?? 'Prefix',
                  backend,
                })),
                // the longest matching path wins, wherever it is listed
                ...blocked.map((path) => ({ path, pathType: 'Prefix', backend: nowhere })),
              ],
            },
          })),
        },
      });
    }
  }
}

/**
 * @throws Error when the Ingress names no host, both forms, a host twice, a path that is not
 * absolute or one inside a blocked path, or a blocked path that is no prefix
 */
function ingressHosts(name: string, ingress: IngressProps): readonly IngressHost[] {
  const where = `ingress "${name}"`;
  if ((ingress.host === undefined) === (ingress.hosts === undefined))
    throw new Error(
      `${where}: got ${ingress.host === undefined ? 'neither host nor hosts' : 'both host and hosts'}; allowed: one of them`,
    );
  const hosts = ingress.hosts ?? [{ host: ingress.host! }];
  if (hosts.length === 0) throw new Error(`${where}: hosts got []; allowed: at least one host`);
  const blocked = ingress.blockedPaths ?? [];
  for (const path of blocked) {
    const problem = blockedPathProblem(path);
    if (problem) throw new Error(`${where}: blockedPaths got ${JSON.stringify(path)}; ${problem}`);
  }
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.host))
      throw new Error(`${where}: host ${JSON.stringify(h.host)} given twice; allowed: each host once`);
    seen.add(h.host);
    if (h.paths?.length === 0)
      throw new Error(`${where}: host ${JSON.stringify(h.host)} paths got []; allowed: at least one path`);
    for (const p of h.paths ?? []) {
      if (!p.path.startsWith('/'))
        throw new Error(
          `${where}: host ${JSON.stringify(h.host)} path got ${JSON.stringify(p.path)}; allowed: an absolute path`,
        );
      const conflict = blockedPathConflict(p.pathType ?? 'Prefix', p.path, blocked);
      if (conflict)
        throw new Error(`${where}: host ${JSON.stringify(h.host)} path got ${JSON.stringify(p.path)}, ${conflict}`);
    }
  }
  return hosts;
}
