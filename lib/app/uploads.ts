/**
 * How much the app's /tmp must hold: the request bodies it accepts, as many at once as it takes.
 * Starlette parses a multipart body into a SpooledTemporaryFile of max_size 1 MiB per file
 * (starlette/formparsers.py, MultiPartParser.max_file_size): past that, the whole file is written to
 * the temp dir, /tmp here, until the request ends. An emptyDir past its sizeLimit gets the pod
 * evicted at once, with no preStop and no drain (the kubelet's eviction manager), so every other
 * request on the pod fails with it.
 */
import type { EnvironmentConfig } from '../config/schema';
import { nginxSize } from '../nginx-size';
import { quantityValue } from '../quantity';
import { APP_NAME } from './labels';

/** the ingress-nginx annotation that bounds a request body (its default is 1m) */
export const PROXY_BODY_SIZE = 'nginx.ingress.kubernetes.io/proxy-body-size';
/** what else writes to /tmp besides the spooled uploads: Python's tempfiles, the runtime */
export const TMP_HEADROOM = '64Mi';

/** the body size the environment accepts, with where the config says it */
export interface BodySize {
  readonly size: number | 'unlimited';
  /** the value as written, e.g. `100m` */
  readonly text: string;
  /** the field it comes from */
  readonly from: string;
}

/**
 * The largest request body the app may receive: the largest of the Ingress's proxy-body-size and
 * app.maxBodySize (for what else exposes it: a gateway, a caller inside the cluster). Undefined
 * when neither says: the default /tmp stands.
 */
export function acceptedBodySize(c: EnvironmentConfig): BodySize | undefined {
  const given: BodySize[] = [];
  const annotation = c.ingress?.annotations[PROXY_BODY_SIZE];
  if (annotation !== undefined) {
    const size = nginxSize(annotation);
    if (size !== undefined) given.push({ size, text: annotation, from: `ingress.annotations.${PROXY_BODY_SIZE}` });
  }
  if (c.app.maxBodySize !== undefined) {
    const size = nginxSize(c.app.maxBodySize);
    if (size !== undefined) given.push({ size, text: c.app.maxBodySize, from: 'app.maxBodySize' });
  }
  if (given.length === 0) return undefined;
  return (
    given.find((b) => b.size === 'unlimited') ??
    given.reduce((a, b) => ((b.size as number) > (a.size as number) ? b : a))
  );
}

/** bytes /tmp must hold: each concurrent upload at the largest body size, and the headroom */
export function tmpBytesNeeded(bodyBytes: number, concurrent: number): number {
  return bodyBytes * concurrent + quantityValue(TMP_HEADROOM);
}

/** bytes as a quantity in whole MiB, rounded up */
export function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

/** the most app pods at once outside a rollout: the fixed count or the autoscaler's maximum */
export function maxAppPods(c: EnvironmentConfig): number {
  return c.app.autoscaling?.maxReplicas ?? c.app.replicas ?? 1;
}

/** the name of the uploads claim the output creates (app.uploads.volume) */
export const UPLOADS_CLAIM = `${APP_NAME}-uploads`;

/** where the uploads live: a claim the output creates, an existing claim, or each pod's emptyDir */
export type UploadsStorage =
  | { readonly kind: 'volume'; readonly claimName: string }
  | { readonly kind: 'claim'; readonly claimName: string }
  | { readonly kind: 'emptyDir'; readonly sizeLimit: string };

export function uploadsStorage(c: EnvironmentConfig): UploadsStorage {
  const u = c.app.uploads;
  if (u.volume) return { kind: 'volume', claimName: UPLOADS_CLAIM };
  if (u.claimName) return { kind: 'claim', claimName: u.claimName };
  return { kind: 'emptyDir', sizeLimit: u.sizeLimit };
}
