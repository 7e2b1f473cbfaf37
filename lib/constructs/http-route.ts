/**
 * A Gateway API HTTPRoute from a Gateway's listener to a Service: what clusters use in place of an
 * Ingress now that ingress-nginx is retired. The Gateway belongs to the cluster (often in a
 * namespace of its own) and must allow routes from this namespace (`allowedRoutes`).
 * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
 */
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export interface GatewayRef {
  readonly name: string;
  readonly namespace: string;
  /** one listener of the Gateway @default every listener that allows the route */
  readonly sectionName?: string;
}

export interface HttpRouteProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly gateway: GatewayRef;
  /** the host names the route answers for, at least one */
  readonly hostnames: readonly string[];
  /** the Service every request under `/` goes to */
  readonly serviceName: string;
  readonly servicePort: number;
}

export class HttpRoute extends Construct {
  public readonly route: ApiObject;

  constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id);
    if (props.hostnames.length === 0)
      throw new Error(`route "${props.name}": hostnames got []; allowed: at least one host name`);
    const spec: IHTTPRoute['spec'] = {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: props.gateway.name,
          namespace: props.gateway.namespace,
          sectionName: props.gateway.sectionName,
        },
      ],
      hostnames: [...props.hostnames],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          // group "" is the core API group: a Service
          // weight written out: the CRD defaults it inside a list, which Argo CD would show as a diff
          backendRefs: [{ group: '', kind: 'Service', name: props.serviceName, port: props.servicePort, weight: 1 }],
        },
      ],
    };
    this.route = new ApiObject(this, 'HTTPRoute', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec,
    });
  }
}
