/**
 * Names and the app.kubernetes.io recommended labels.
 *
 * Object names are fixed strings, never derived from construct paths, and selectors use only
 * the stable labels (name, instance, component): renaming a construct or bumping a version
 * can never touch an immutable selector.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
import type { EnvironmentConfig, ImageConfig } from './config';

export const APP_NAME = 'reviewpoint-backend';
export const PART_OF = 'reviewpoint';
export const HTTP_PORT = 8000;

export type Component = 'api' | 'migration';

/** labels that select pods: stable for the life of the Deployment */
export function selectorLabels(config: EnvironmentConfig, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/instance': `${APP_NAME}-${config.name}`,
    'app.kubernetes.io/component': component,
  };
}

/**
 * every recommended label: selector labels plus ownership, and the version when `image` is given.
 * Pass the image only for the objects that run it (the Deployment, the Job, their pod
 * templates): anywhere else the label turns an image bump into a change of unrelated objects.
 */
export function recommendedLabels(config: EnvironmentConfig, component: Component, image?: ImageConfig): Record<string, string> {
  const version = image?.tag ?? image?.digest?.slice('sha256:'.length, 'sha256:'.length + 12);
  return {
    ...selectorLabels(config, component),
    ...(version ? { 'app.kubernetes.io/version': version } : {}),
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/** `repo:tag@sha256:...`: the digest wins at pull time, the tag stays readable */
export function imageReference(image: ImageConfig): string {
  return `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}

/**
 * Plain code-unit order. Not localeCompare: its first call loads ICU collation data, which
 * costs more than the rest of a synth, and output order must not depend on a locale anyway.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
