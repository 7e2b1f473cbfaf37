/**
 * A Gateway API HTTPRoute from a Gateway's listener to the Service: what clusters use in place of
 * an Ingress now that ingress-nginx is retired. The Gateway itself belongs to the cluster (often
 * in a namespace of its own); it must allow routes from this namespace (`allowedRoutes`).
 * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
 */
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RouteConfig } from './config';
import { APP_NAME, HTTP_PORT, recommendedLabels } from './labels';

export interface BackendRouteProps {
  readonly config: EnvironmentConfig;
  readonly route: RouteConfig;
}

export class BackendRoute extends Construct {
  constructor(scope: Construct, id: string, props: BackendRouteProps) {
    super(scope, id);
    const { config, route } = props;
    const spec: IHTTPRoute['spec'] = {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: route.gateway.name,
          namespace: route.gateway.namespace,
          sectionName: route.gateway.sectionName,
        },
      ],
      hostnames: [...route.hostnames],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          // group "" is the core API group: a Service
          // weight written out: the CRD defaults it inside a list, which Argo CD would show as a diff
          backendRefs: [{ group: '', kind: 'Service', name: APP_NAME, port: HTTP_PORT, weight: 1 }],
        },
      ],
    };
    new ApiObject(this, 'HTTPRoute', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: APP_NAME, namespace: config.namespace, labels: recommendedLabels(config, 'api') },
      spec,
    });
  }
}
