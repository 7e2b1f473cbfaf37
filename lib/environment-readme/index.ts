/**
 * dist/<env>/README.md: the environment at a glance, for a reviewer browsing the folder. Read
 * from the rendered objects (not the config) wherever the objects say it, so it shows what the
 * cluster will get: images, the migration and when each engine runs it, the security posture,
 * resources, exposure, and a diagram of the traffic the NetworkPolicies allow. No kustomization
 * lists it, so kustomize, Argo CD and Flux never read it.
 */
import type { EnvironmentConfig } from '../config';
import { repoPath } from '../app/delivery';
import { stageOf } from '../delivery/stages';
import type { KubeObject } from '../kube-object';
import { diagram } from './diagram';
import {
  envSources,
  exposure,
  forwardedHeaders,
  images,
  migration,
  resources,
  scaling,
  schedules,
  secretRotation,
  secretSource,
  security,
  shutdown,
  storage,
} from './tables';
import { workloadsOf } from './workloads';

export const ENVIRONMENT_README = 'README.md';

export function environmentReadme(config: EnvironmentConfig, objects: readonly KubeObject[]): string {
  const workloads = workloadsOf(objects);
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const lines = [
    `<!-- Generated from config/${config.name}.yaml by this repository's synth; do not edit by hand. -->`,
    `# ${config.name}: ReViewPoint backend`,
    '',
    `Namespace \`${config.namespace}\`${config.production ? ', **production** profile' : ''}. ` +
      `${objects.length} objects in ${[...new Set(objects.map((o) => stageOf(o.metadata)))].map((f) => `\`${f}/\``).join(' and ')}, applied from \`${repoPath(config.delivery, config.name)}\`.`,
    '',
    '## Images',
    '',
    ...images(workloads),
    '',
    '## Migration',
    '',
    ...migration(config, objects),
    '',
    '## Security',
    '',
    `Namespace Pod Security: \`enforce: ${ofKind('Namespace')[0]?.metadata.labels?.['pod-security.kubernetes.io/enforce'] ?? 'none'}\`.`,
    '',
    secretSource(config),
    '',
    secretRotation(config, objects),
    '',
    ...security(workloads),
    '',
    ...envSources(config, objects),
    '## Resources',
    '',
    ...resources(workloads),
    '',
    ...scaling(objects),
    '',
    ...schedules(objects).flatMap((line) => [line, '']),
    ...shutdown(objects),
    '',
    ...storage(objects),
    '',
    '## Exposure',
    '',
    ...exposure(config, objects),
    '',
    ...forwardedHeaders(objects).flatMap((line) => [line, '']),
    '## Objects and traffic',
    '',
    'Solid arrows: traffic the NetworkPolicies allow (everything else is denied by `default-deny`); dotted: routing between objects.',
    '',
    '```mermaid',
    ...diagram(config, objects, workloads),
    '```',
    '',
  ];
  return lines.join('\n');
}
