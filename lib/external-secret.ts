/**
 * An ExternalSecret: External Secrets Operator creates the app's Secret from a secret store, so
 * the repository holds references only. With a migration Job the chart applies it before the
 * Job (Argo CD wave -2, the Flux migration stage, both waiting for it to be Ready); otherwise it
 * goes with the Deployment, whose pods wait for the Secret.
 * @see https://external-secrets.io/latest/api/externalsecret/
 */
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { secretKeys, type EnvironmentConfig, type ExternalSecretConfig } from './config';
import { recommendedLabels } from './labels';

export interface BackendExternalSecretProps {
  readonly config: EnvironmentConfig;
  readonly externalSecret: ExternalSecretConfig;
}

export class BackendExternalSecret extends Construct {
  constructor(scope: Construct, id: string, props: BackendExternalSecretProps) {
    super(scope, id);
    const { config, externalSecret: es } = props;
    const name = config.secrets.name;
    // the package models v1beta1 only; v1 is the same schema (imports/README.md)
    const spec: IExternalSecret['spec'] = {
      refreshInterval: es.refreshInterval,
      secretStoreRef: { name: es.store.name, kind: es.store.kind },
      target: {
        name,
        // the Secret goes with the ExternalSecret (owner reference), but a key removed from the
        // store leaves the last value in place rather than breaking running pods
        creationPolicy: 'Owner',
        deletionPolicy: 'Retain',
      },
      data: secretKeys(config).map((key) => ({
        secretKey: key,
        remoteRef: { key: es.remoteKey, property: es.properties[key] ?? key },
      })),
    };
    new ApiObject(this, 'ExternalSecret', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, namespace: config.namespace, labels: recommendedLabels(config, 'api') },
      spec,
    });
  }
}
