import { keyOf, objectId, sameObject } from '../lib/kube-object';

describe('object identity', () => {
  test('two kinds of one name in different groups are different objects', () => {
    // GIVEN a kustomize and a Flux Kustomization of the same name and namespace
    const kustomize = keyOf({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      metadata: { name: 'a', namespace: 'x' },
    });
    const flux = keyOf({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'a', namespace: 'x' },
    });
    // WHEN compared  THEN they differ, by key and by id
    expect(sameObject(kustomize, flux)).toBe(false);
    expect(objectId(kustomize)).not.toBe(objectId(flux));
  });

  test('the version is not part of the identity, and a cluster-scoped kind has no namespace', () => {
    // GIVEN one Deployment under two versions, and a Namespace with a stray namespace field
    const v1 = keyOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' } });
    const beta = keyOf({
      apiVersion: 'apps/v1beta2',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
    });
    const ns = keyOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', namespace: 'shop' } });
    // WHEN keyed  THEN
    expect(sameObject(v1, beta)).toBe(true);
    expect(objectId(v1)).toBe('Deployment.apps/shop/api');
    expect(ns).toEqual({ group: '', kind: 'Namespace', name: 'shop', namespace: undefined });
  });

  test('a reference that names a kind only matches that kind in its group', () => {
    // GIVEN a pod's reference to a ConfigMap, which names no group
    const ref = { kind: 'ConfigMap', name: 'settings', namespace: 'shop' };
    const configMap = keyOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' } });
    // WHEN compared with the ConfigMap  THEN it is the same object; another name is not
    expect(sameObject(ref, configMap)).toBe(true);
    expect(sameObject({ ...ref, name: 'other' }, configMap)).toBe(false);
  });
});
