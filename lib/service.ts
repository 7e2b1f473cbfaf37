/**
 * How the pods are reached: a ClusterIP Service on the http port, and an Ingress where the
 * environment has one (an HTTPRoute is lib/route.ts's).
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';
import { APP_NAME, HTTP_PORT } from './labels';

export interface BackendServiceProps {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** the labels of the pods behind the Service */
  readonly selector: Readonly<Record<string, string>>;
  /** host, class, TLS secret and annotations of an Ingress to the Service @default no Ingress */
  readonly ingress?: EnvironmentConfig['ingress'];
}

export class BackendService extends Construct {
  constructor(scope: Construct, id: string, props: BackendServiceProps) {
    super(scope, id);
    const metadata = { name: APP_NAME, namespace: props.namespace, labels: { ...props.labels } };

    new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: { ...props.selector },
        ports: [{ name: 'http', port: HTTP_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    if (props.ingress) {
      const { host, className, tlsSecretName, annotations } = props.ingress;
      new k8s.KubeIngress(this, 'Ingress', {
        metadata: { ...metadata, annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
        spec: {
          ingressClassName: className,
          tls: tlsSecretName ? [{ hosts: [host], secretName: tlsSecretName }] : undefined,
          rules: [
            {
              host,
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name: APP_NAME, port: { name: 'http' } } } },
                ],
              },
            },
          ],
        },
      });
    }
  }
}
