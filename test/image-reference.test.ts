import { imageParts, imageReference, parseImageReference } from '../lib/image-reference';
import { DIGEST_A } from './helpers';

describe('image references', () => {
  test('a registry port is not a tag, and the digest follows "@"', () => {
    // GIVEN a reference with a registry port, a tag and a digest
    const ref = `registry.local:5000/team/api:1.2.0@${DIGEST_A}`;
    // WHEN it is split  THEN each part is where Kubernetes and the registry read it
    expect(imageParts(ref)).toEqual({ repository: 'registry.local:5000/team/api', tag: '1.2.0', digest: DIGEST_A });
    expect(imageParts('registry.local:5000/team/api')).toEqual({ repository: 'registry.local:5000/team/api' });
  });

  test('parse and format are inverse', () => {
    // GIVEN references with and without tag and digest
    for (const ref of ['ghcr.io/acme/api', 'ghcr.io/acme/api:1', `ghcr.io/acme/api@${DIGEST_A}`]) {
      // WHEN parsed and written again  THEN the same text comes back
      expect(imageReference(parseImageReference(ref))).toBe(ref);
    }
  });

  test('fails when a part is empty, where the lenient split keeps it empty', () => {
    // GIVEN a reference with nothing after ":"
    // WHEN parsed  THEN refused; split, the empty tag is kept for the policy to judge
    expect(() => parseImageReference('ghcr.io/acme/api:')).toThrow(/nothing after ":"/);
    expect(imageParts('ghcr.io/acme/api:')).toEqual({ repository: 'ghcr.io/acme/api', tag: '' });
  });
});
