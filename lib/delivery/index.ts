/**
 * The delivery check: the environment's output read as Argo CD, Flux and kubectl will apply it.
 */
import type { EnvironmentConfig } from '../config';
import type { RenderedEnvironment } from '../render';
import { repoPath } from '../app/delivery';
import { envSources } from '../config/pod-rules';
import type { ObjectKey } from './references';
import { checkDelivery } from './rules';
import type { Violation } from '../policy/types';

export { DELIVERY_RULES, checkDelivery, type DeliveryInput } from './rules';

/** what the config says exists before the first sync: nothing else may be assumed */
export function declaredPrerequisites(config: EnvironmentConfig): ObjectKey[] {
  const ns = config.namespace;
  const store = config.secrets.externalSecret?.store;
  return [
    // with an ExternalSecret the Secret is in the output's hands; the store it reads is not
    ...(store
      ? [
          store.kind === 'ClusterSecretStore'
            ? { kind: store.kind, name: store.name }
            : { kind: store.kind, name: store.name, namespace: ns },
        ]
      : [{ kind: 'Secret', name: config.secrets.name, namespace: ns }]),
    ...(config.ingress?.tlsSecretName ? [{ kind: 'Secret', name: config.ingress.tlsSecretName, namespace: ns }] : []),
    ...(config.app.uploads.claimName
      ? [{ kind: 'PersistentVolumeClaim', name: config.app.uploads.claimName, namespace: ns }]
      : []),
    ...config.imagePullSecrets.map((name) => ({ kind: 'Secret', name, namespace: ns })),
    // what app.env and app.envFrom read: the team's own Secrets and ConfigMaps
    ...envSources(config)
      .filter((s) => !(s.kind === 'Secret' && s.name === config.secrets.name))
      .map(({ kind, name }) => ({ kind, name, namespace: ns })),
  ];
}

export function checkRenderedDelivery(config: EnvironmentConfig, rendered: RenderedEnvironment): Violation[] {
  return checkDelivery({
    environment: config.name,
    files: rendered.files,
    root: repoPath(config.delivery, config.name),
    prerequisites: declaredPrerequisites(config),
  });
}
