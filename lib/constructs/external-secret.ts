/**
 * An ExternalSecret: External Secrets Operator creates a Secret from a secret store, so the
 * repository holds references only.
 * @see https://external-secrets.io/latest/api/externalsecret/
 */
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export interface ExternalSecretKey {
  /** the key in the Secret */
  readonly secretKey: string;
  /** the property of the store's entry @default secretKey */
  readonly property?: string;
}

export interface ExternalSecretProps {
  /** the name of the ExternalSecret and of the Secret it creates */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly store: { readonly name: string; readonly kind: 'SecretStore' | 'ClusterSecretStore' };
  /** the entry of the store that holds the keys */
  readonly remoteKey: string;
  /** the Secret's keys, at least one */
  readonly keys: readonly ExternalSecretKey[];
  /** how often the operator reads the store again, e.g. `1h` @default the operator's, 1h */
  readonly refreshInterval?: string;
}

export class ExternalSecret extends Construct {
  public readonly externalSecret: ApiObject;

  constructor(scope: Construct, id: string, props: ExternalSecretProps) {
    super(scope, id);
    if (props.keys.length === 0)
      throw new Error(`external secret "${props.name}": keys got []; allowed: at least one key`);
    // the package models v1beta1 only; v1 is the same schema (imports/README.md)
    const spec: IExternalSecret['spec'] = {
      refreshInterval: props.refreshInterval,
      secretStoreRef: { name: props.store.name, kind: props.store.kind },
      target: {
        name: props.name,
        // the Secret goes with the ExternalSecret (owner reference), but a key removed from the
        // store leaves the last value in place rather than breaking running pods
        creationPolicy: 'Owner',
        deletionPolicy: 'Retain',
      },
      data: props.keys.map((k) => ({
        secretKey: k.secretKey,
        remoteRef: { key: props.remoteKey, property: k.property ?? k.secretKey },
      })),
    };
    this.externalSecret = new ApiObject(this, 'ExternalSecret', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec,
    });
  }
}
