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

/** what a request must carry to be routed: every field given must match */
export interface HttpRouteMatch {
  /** @default every path */
  readonly path?: {
    /** @default PathPrefix */
    readonly type?: 'PathPrefix' | 'Exact' | 'RegularExpression';
    readonly value: string;
  };
  /** @default any headers */
  readonly headers?: ReadonlyArray<{
    readonly name: string;
    readonly value: string;
    /** @default Exact */
    readonly type?: 'Exact' | 'RegularExpression';
  }>;
  /** @default any method */
  readonly method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';
}

/** Gateway API durations such as `30s` or `1m30s` (Extended support) */
export interface HttpRouteTimeouts {
  /** the whole request, retries included; at least `backendRequest` @default the implementation's */
  readonly request?: string;
  /** one request from the gateway to a pod @default the implementation's */
  readonly backendRequest?: string;
}

export interface HttpRouteProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly gateway: GatewayRef;
  /** the host names the route answers for, at least one */
  readonly hostnames: readonly string[];
  /** the Service every matching request goes to */
  readonly serviceName: string;
  readonly servicePort: number;
  /**
   * the requests the route sends to the Service: any one of these, 1 to 8
   * @default every path: PathPrefix `/`
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproutematch
   */
  readonly matches?: readonly HttpRouteMatch[];
  /**
   * @default none: the implementation's
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproutetimeouts
   */
  readonly timeouts?: HttpRouteTimeouts;
}

export class HttpRoute extends Construct {
  public readonly route: ApiObject;

  constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id);
    if (props.hostnames.length === 0)
      throw new Error(`route "${props.name}": hostnames got []; allowed: at least one host name`);
    const matches = props.matches ?? [{ path: { value: '/' } }];
    if (matches.length === 0 || matches.length > 8)
      throw new Error(`route "${props.name}": matches got ${matches.length}; allowed: 1 to 8 (the CRD's bound)`);
    const { request, backendRequest } = props.timeouts ?? {};
    for (const [field, value] of Object.entries({ request, backendRequest }))
      if (value !== undefined && gatewayDurationMs(value) === undefined)
        throw new Error(
          `route "${props.name}": timeouts.${field} got ${JSON.stringify(value)}; allowed: a Gateway API duration such as 30s or 1m30s`,
        );
    if (
      request !== undefined &&
      backendRequest !== undefined &&
      gatewayDurationMs(backendRequest)! > gatewayDurationMs(request)!
    )
      throw new Error(
        `route "${props.name}": timeouts.backendRequest got ${JSON.stringify(backendRequest)}, longer than request ${JSON.stringify(request)}; allowed: at most the request timeout`,
      );
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
          // every default the CRD would fill inside these lists is written out: Argo CD would
          // otherwise show it as a diff
          matches: matches.map((m) => ({
            path: { type: m.path?.type ?? 'PathPrefix', value: m.path?.value ?? '/' },
            headers: m.headers?.map((h) => ({ name: h.name, value: h.value, type: h.type ?? 'Exact' })),
            method: m.method,
          })),
          // group "" is the core API group: a Service
          // weight written out: the CRD defaults it inside a list, which Argo CD would show as a diff
          backendRefs: [{ group: '', kind: 'Service', name: props.serviceName, port: props.servicePort, weight: 1 }],
          timeouts: props.timeouts && { request, backendRequest },
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

/** a Gateway API duration (GEP-2257), as the HTTPRoute CRD validates it: 1 to 4 parts of up to 5 digits */
export const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/** a Gateway API duration in milliseconds; undefined when it is none */
export function gatewayDurationMs(value: string): number | undefined {
  if (!GATEWAY_DURATION.test(value)) return undefined;
  const unit: Record<string, number> = { h: 36e5, m: 6e4, s: 1e3, ms: 1 };
  return [...value.matchAll(/([0-9]+)(ms|h|m|s)/g)].reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}
