import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1LabelSelector } from '@kubernetes/client-node';
import { selectorMatches } from '../../activities/kubernetes/label-selector';

const web = { app: 'web', tier: 'frontend' };

describe('selectorMatches', () => {
  const cases: {
    name: string;
    selector: V1LabelSelector | undefined;
    labels: Record<string, string>;
    matches: boolean;
  }[] = [
    // policy/v1 PodDisruptionBudget: a null selector selects no pods, an empty one selects all.
    {
      name: 'undefined selector matches nothing',
      selector: undefined,
      labels: web,
      matches: false,
    },
    { name: 'empty selector matches a labelled pod', selector: {}, labels: web, matches: true },
    { name: 'empty selector matches an unlabelled pod', selector: {}, labels: {}, matches: true },
    {
      name: 'empty matchLabels and matchExpressions match all',
      selector: { matchLabels: {}, matchExpressions: [] },
      labels: {},
      matches: true,
    },

    {
      name: 'matchLabels: equal',
      selector: { matchLabels: { app: 'web' } },
      labels: web,
      matches: true,
    },
    {
      name: 'matchLabels: all of several',
      selector: { matchLabels: { app: 'web', tier: 'frontend' } },
      labels: web,
      matches: true,
    },
    {
      name: 'matchLabels: one of several differs',
      selector: { matchLabels: { app: 'web', tier: 'backend' } },
      labels: web,
      matches: false,
    },
    {
      name: 'matchLabels: other value',
      selector: { matchLabels: { app: 'db' } },
      labels: web,
      matches: false,
    },
    {
      name: 'matchLabels: label absent',
      selector: { matchLabels: { team: 'a' } },
      labels: web,
      matches: false,
    },

    {
      name: 'In: value listed',
      selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }] },
      labels: web,
      matches: true,
    },
    {
      name: 'In: value not listed',
      selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] },
      labels: web,
      matches: false,
    },
    {
      name: 'In: label absent',
      selector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] },
      labels: web,
      matches: false,
    },

    {
      name: 'NotIn: value not listed',
      selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] },
      labels: web,
      matches: true,
    },
    {
      name: 'NotIn: value listed',
      selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
      labels: web,
      matches: false,
    },
    {
      name: 'NotIn: label absent matches',
      selector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] },
      labels: web,
      matches: true,
    },

    {
      name: 'Exists: label present',
      selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      labels: web,
      matches: true,
    },
    {
      name: 'Exists: label present with an empty value',
      selector: { matchExpressions: [{ key: 'canary', operator: 'Exists' }] },
      labels: { canary: '' },
      matches: true,
    },
    {
      name: 'Exists: label absent',
      selector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
      labels: web,
      matches: false,
    },
    {
      name: 'DoesNotExist: label absent',
      selector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] },
      labels: web,
      matches: true,
    },
    {
      name: 'DoesNotExist: label present',
      selector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] },
      labels: web,
      matches: false,
    },
    // Label keys that are also names on Object.prototype must not count as present.
    {
      name: 'Exists: "constructor" on a pod without that label',
      selector: { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
      labels: web,
      matches: false,
    },
    {
      name: 'DoesNotExist: "toString" on a pod without that label',
      selector: { matchExpressions: [{ key: 'toString', operator: 'DoesNotExist' }] },
      labels: web,
      matches: true,
    },

    {
      name: 'matchLabels and matchExpressions are ANDed (both hold)',
      selector: {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }],
      },
      labels: web,
      matches: true,
    },
    {
      name: 'matchLabels and matchExpressions are ANDed (expression fails)',
      selector: {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }],
      },
      labels: web,
      matches: false,
    },
    {
      name: 'matchLabels and matchExpressions are ANDed (labels fail)',
      selector: {
        matchLabels: { app: 'db' },
        matchExpressions: [{ key: 'tier', operator: 'Exists' }],
      },
      labels: web,
      matches: false,
    },
    {
      name: 'several expressions must all hold',
      selector: {
        matchExpressions: [
          { key: 'app', operator: 'Exists' },
          { key: 'team', operator: 'Exists' },
        ],
      },
      labels: web,
      matches: false,
    },
    {
      name: 'an unknown operator matches nothing',
      selector: { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] },
      labels: web,
      matches: false,
    },
  ];

  for (const { name, selector, labels, matches } of cases) {
    it(name, () => {
      assert.equal(selectorMatches(selector, labels), matches);
    });
  }
});
