/**
 * How the pods are reached: a ClusterIP Service on the `http` port, and an Ingress where asked
 * (an HTTPRoute is http-route.ts's).
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 * @see https://kubernetes.io/docs/concepts/services-networking/ingress/
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';

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

    this.service = new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: { ...props.selector },
        ports: [{ name: 'http', port: props.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    if (props.ingress) {
      const { className, tlsSecretName, annotations = {} } = props.ingress;
      const hosts = ingressHosts(props.name, props.ingress);
      const backend = { service: { name: props.name, port: { name: 'http' } } };
      this.ingress = new k8s.KubeIngress(this, 'Ingress', {
        metadata: { ...metadata, annotations: Object.keys(annotations).length > 0 ? { ...annotations } : undefined },
        spec: {
          ingressClassName: className,
          tls: tlsSecretName ? [{ hosts: hosts.map((h) => h.host), secretName: tlsSecretName }] : undefined,
          rules: hosts.map((h) => ({
            host: h.host,
            http: {
              paths: (h.paths ?? [{ path: '/' }]).map((p) => ({
                path: p.path,
                pathType: p.pathType ?? 'Prefix',
                backend,
              })),
            },
          })),
        },
      });
    }
  }
}

/** @throws Error when the Ingress names no host, both forms, a host twice, or a path that is not absolute */
function ingressHosts(name: string, ingress: IngressProps): readonly IngressHost[] {
  const where = `ingress "${name}"`;
  if ((ingress.host === undefined) === (ingress.hosts === undefined))
    throw new Error(
      `${where}: got ${ingress.host === undefined ? 'neither host nor hosts' : 'both host and hosts'}; allowed: one of them`,
    );
  const hosts = ingress.hosts ?? [{ host: ingress.host! }];
  if (hosts.length === 0) throw new Error(`${where}: hosts got []; allowed: at least one host`);
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.host))
      throw new Error(`${where}: host ${JSON.stringify(h.host)} given twice; allowed: each host once`);
    seen.add(h.host);
    if (h.paths?.length === 0)
      throw new Error(`${where}: host ${JSON.stringify(h.host)} paths got []; allowed: at least one path`);
    for (const p of h.paths ?? [])
      if (!p.path.startsWith('/'))
        throw new Error(
          `${where}: host ${JSON.stringify(h.host)} path got ${JSON.stringify(p.path)}; allowed: an absolute path`,
        );
  }
  return hosts;
}
