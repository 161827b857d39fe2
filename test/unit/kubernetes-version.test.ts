import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseVersion,
  upgradePath,
  type UpgradePathInput,
} from '../../workflows/policy/kubernetes-version';

const available = ['v1.30.14', 'v1.31.14', 'v1.32.11', 'v1.32.13', 'v1.33.13'];
const uniform = (version: string, n = 3) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`node-${i + 1}`, version]));
const path = (input: Partial<UpgradePathInput>) =>
  upgradePath({
    controlPlane: 'v1.31.14',
    kubelets: uniform('v1.31.14'),
    target: '1.33',
    available,
    ...input,
  });

describe('parseVersion', () => {
  it('reads v-prefixed, minor-only and full versions, and nothing else', () => {
    assert.deepEqual(parseVersion('v1.32.4'), { major: 1, minor: 32, patch: 4 });
    assert.deepEqual(parseVersion('1.32'), { major: 1, minor: 32, patch: undefined });
    for (const bad of ['1', '1.32.4.1', 'v1.x', '', 'latest'])
      assert.equal(parseVersion(bad), undefined, bad);
  });
});

describe('upgradePath', () => {
  const cases: {
    name: string;
    input: Partial<UpgradePathInput>;
    steps?: string[];
    refused?: [string, RegExp];
  }[] = [
    {
      name: 'one minor at a time, latest patch of each',
      input: {},
      steps: ['v1.32.13', 'v1.33.13'],
    },
    {
      name: 'a full target version is kept as given',
      input: { target: '1.32.11' },
      steps: ['v1.32.11'],
    },
    {
      name: 'a patch upgrade within the minor',
      input: { controlPlane: 'v1.32.11', kubelets: uniform('v1.32.11'), target: '1.32' },
      steps: ['v1.32.13'],
    },
    { name: 'nothing to do at the target', input: { target: '1.31' }, steps: [] },
    {
      name: 'nodes left behind by an interrupted upgrade are finished first',
      input: { controlPlane: 'v1.32.13', kubelets: { a: 'v1.32.13', b: 'v1.31.14' } },
      steps: ['v1.32.13', 'v1.33.13'],
    },
    {
      name: 'a downgrade',
      input: { target: '1.30' },
      refused: ['target', /older than the control plane's v1\.31\.14; downgrades/],
    },
    {
      name: 'an unknown version',
      input: { target: '1.34' },
      refused: ['target', /v1\.34 is not an available version/],
    },
    {
      name: 'an unknown patch',
      input: { target: '1.32.99' },
      refused: ['target', /v1\.32\.99 is not an available version/],
    },
    {
      name: 'a malformed target',
      input: { target: 'latest' },
      refused: ['target', /not a version like 1\.32/],
    },
    {
      name: 'a major version change',
      input: { target: '2.0' },
      refused: ['target', /major version change/],
    },
    {
      name: 'a missing minor on the way',
      input: { available: ['v1.31.14', 'v1.33.13'] },
      refused: ['target', /no available version of 1\.32 to step through/],
    },
    {
      name: 'a kubelet newer than the control plane',
      input: { kubelets: { a: 'v1.31.14', b: 'v1.32.13' } },
      refused: [
        'cluster',
        /node b's kubelet v1\.32\.13 is newer than the control plane's v1\.31\.14/,
      ],
    },
    {
      name: 'a kubelet beyond the skew policy from the first step',
      input: {
        controlPlane: 'v1.31.14',
        kubelets: { a: 'v1.31.14', old: 'v1.28.15' },
        target: '1.32',
      },
      refused: [
        'cluster',
        /node old's kubelet v1\.28\.15 is 3 minors behind v1\.31\.14|node old's kubelet v1\.28\.15 is 4 minors behind/,
      ],
    },
    {
      name: 'a kubelet that the next minor would leave too far behind',
      input: {
        controlPlane: 'v1.31.14',
        kubelets: { a: 'v1.31.14', old: 'v1.27.16' },
        target: '1.32',
      },
      refused: ['cluster', /node old's kubelet v1\.27\.16 is 4 minors behind v1\.31\.14/],
    },
    {
      name: 'an unreadable control-plane version',
      input: { controlPlane: 'v1.31' },
      refused: ['cluster', /not a full version/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = path(c.input);
      if (c.steps) assert.deepEqual(result, { ok: true, steps: c.steps });
      else {
        assert.equal(result.ok, false, JSON.stringify(result));
        if (!result.ok) {
          assert.equal(result.field, c.refused![0]);
          assert.match(result.reason, c.refused![1]);
        }
      }
    });
  }
});
