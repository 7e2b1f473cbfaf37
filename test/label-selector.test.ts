import { isEmptySelector, labelSelectorMatches, serviceSelectorMatches } from '../lib/label-selector';

const pod = { 'app.kubernetes.io/name': 'api', tier: 'web' };

describe('labelSelectorMatches', () => {
  test('an empty LabelSelector selects every object, labelled or not', () => {
    // GIVEN the selector {}
    // WHEN it is matched against labelled and unlabelled objects
    // THEN both are selected
    expect(labelSelectorMatches({}, pod)).toBe(true);
    expect(labelSelectorMatches({}, undefined)).toBe(true);
  });

  test('a missing (nil) LabelSelector selects nothing', () => {
    // GIVEN no selector, as a policy/v1 PodDisruptionBudget without one
    // WHEN it is matched  THEN nothing is selected
    expect(labelSelectorMatches(undefined, pod)).toBe(false);
  });

  test('matchLabels must all be present with their values', () => {
    // GIVEN selectors with one label right, one wrong
    // WHEN they are matched  THEN only an exact subset selects
    expect(labelSelectorMatches({ matchLabels: { tier: 'web' } }, pod)).toBe(true);
    expect(labelSelectorMatches({ matchLabels: { tier: 'web', extra: 'x' } }, pod)).toBe(false);
  });

  test('matchExpressions read In, NotIn, Exists and DoesNotExist as Kubernetes does', () => {
    // GIVEN one requirement per operator
    const m = (operator: string, values?: string[], key = 'tier') =>
      labelSelectorMatches({ matchExpressions: [{ key, operator, values }] }, pod);
    // WHEN each is matched against the pod's labels  THEN
    expect(m('In', ['web', 'db'])).toBe(true);
    expect(m('In', ['db'])).toBe(false);
    expect(m('NotIn', ['db'])).toBe(true);
    // NotIn selects an object without the key
    expect(m('NotIn', ['db'], 'zone')).toBe(true);
    expect(m('Exists')).toBe(true);
    expect(m('DoesNotExist')).toBe(false);
    expect(m('DoesNotExist', undefined, 'zone')).toBe(true);
  });

  test('fails to select under an operator the API server refuses', () => {
    // GIVEN an unknown operator
    // WHEN it is matched  THEN nothing is selected
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Like' }] }, pod)).toBe(false);
  });
});

describe('serviceSelectorMatches', () => {
  test('an empty or missing Service selector selects no pod: its endpoints are managed elsewhere', () => {
    // GIVEN a Service selector of {} and none
    // WHEN matched  THEN no pod is selected
    expect(serviceSelectorMatches({}, pod)).toBe(false);
    expect(serviceSelectorMatches(undefined, pod)).toBe(false);
    expect(serviceSelectorMatches({ tier: 'web' }, pod)).toBe(true);
  });
});

describe('isEmptySelector', () => {
  test('tells {} and a selector of empty parts from a missing one and a real one', () => {
    // GIVEN selectors of each kind  WHEN asked  THEN
    expect(isEmptySelector({})).toBe(true);
    expect(isEmptySelector({ matchLabels: {}, matchExpressions: [] })).toBe(true);
    expect(isEmptySelector(undefined)).toBe(false);
    expect(isEmptySelector({ matchLabels: { tier: 'web' } })).toBe(false);
  });
});
