/**
 * How the pods are reached: a ClusterIP Service on the `http` port, and an Ingress where asked
 * (an HTTPRoute is http-route.ts's).
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 * @see https://kubernetes.io/docs/concepts/services-networking/ingress/
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';

export interface IngressProps {
  /** the host name the Ingress answers for */
  readonly host: string;
  /** @default the cluster's default IngressClass */
  readonly className?: string;
  /** a TLS Secret for `host` in the namespace @default no TLS */
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
  /** an Ingress on path `/` to the Service @default no Ingress */
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
      const { host, className, tlsSecretName, annotations = {} } = props.ingress;
      this.ingress = new k8s.KubeIngress(this, 'Ingress', {
        metadata: { ...metadata, annotations: Object.keys(annotations).length > 0 ? { ...annotations } : undefined },
        spec: {
          ingressClassName: className,
          tls: tlsSecretName ? [{ hosts: [host], secretName: tlsSecretName }] : undefined,
          rules: [
            {
              host,
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name: props.name, port: { name: 'http' } } } },
                ],
              },
            },
          ],
        },
      });
    }
  }
}
