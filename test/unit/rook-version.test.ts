import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cephImageStep,
  parseCephImage,
  rookUpgradeStep,
  type VersionStep,
} from '../../workflows/policy/rook-version';

/** A step that is a no-op, a change, or refused blaming `field` with a reason matching the RegExp. */
function assertStep(step: VersionStep, want: RegExp | 'noop' | 'change', field: string): void {
  if (want === 'noop' || want === 'change') {
    assert.deepEqual(step, { ok: true, noop: want === 'noop' });
    return;
  }
  assert.equal(step.ok, false);
  if (!step.ok) {
    assert.equal(step.field, field);
    assert.match(step.reason, want);
  }
}

describe('rookUpgradeStep', () => {
  const cases: [string, string, string, RegExp | 'noop' | 'change'][] = [
    ['a patch', 'v1.15.3', 'v1.15.9', 'change'],
    ['the next minor', 'v1.15.9', 'v1.16.0', 'change'],
    ['the same version', 'v1.15.9', 'v1.15.9', 'noop'],
    ['a skipped minor', 'v1.14.12', 'v1.16.7', /one minor at a time: v1\.14\.12 → v1\.15\.x first/],
    ['a minor downgrade', 'v1.16.7', 'v1.15.9', /would downgrade Rook from v1\.16\.7/],
    ['a patch downgrade', 'v1.15.9', 'v1.15.3', /would downgrade/],
    ['a major change', 'v1.17.4', 'v2.0.0', /major Rook change/],
    ['no v prefix', 'v1.15.9', '1.16.0', /"1\.16\.0" is not a Rook version/],
    ['garbage', 'v1.15.9', 'latest', /not a Rook version/],
  ];
  for (const [name, current, target, want] of cases) {
    it(name, () => assertStep(rookUpgradeStep(current, target), want, 'rook'));
  }
  it('blames the cluster, not the input, for a running version it cannot read', () => {
    assert.deepEqual(rookUpgradeStep('master', 'v1.15.9'), {
      ok: false,
      field: 'cluster',
      reason: 'the running Rook version "master" is not a version',
    });
  });
});

describe('parseCephImage', () => {
  it('reads version tags, with a registry port and a build date', () => {
    assert.deepEqual(parseCephImage('quay.io/ceph/ceph:v18.2.4'), {
      repository: 'quay.io/ceph/ceph',
      tag: 'v18.2.4',
      major: 18,
      minor: 2,
      patch: 4,
      build: 0,
    });
    assert.equal(parseCephImage('registry.local:5000/ceph/ceph:v18.2.2-20240311')?.build, 20240311);
    for (const bad of [
      'quay.io/ceph/ceph',
      'quay.io/ceph/ceph:latest',
      'quay.io/ceph/ceph:v18',
      'quay.io/ceph/ceph@sha256:abc',
      'quay.io/ceph/ceph:v18.2.4 ',
      '',
    ])
      assert.equal(parseCephImage(bad), undefined, bad);
  });
});

describe('cephImageStep', () => {
  const cases: [string, string, string, RegExp | 'noop' | 'change'][] = [
    ['a minor', 'quay.io/ceph/ceph:v18.2.4', 'quay.io/ceph/ceph:v18.2.6', 'change'],
    ['a major', 'quay.io/ceph/ceph:v17.2.7', 'quay.io/ceph/ceph:v18.2.4', 'change'],
    // Compared as versions, not as strings ("v18.2.10" < "v18.2.9" as text).
    ['v18.2.9 to v18.2.10', 'quay.io/ceph/ceph:v18.2.9', 'quay.io/ceph/ceph:v18.2.10', 'change'],
    [
      'a newer build',
      'quay.io/ceph/ceph:v18.2.2-20240101',
      'quay.io/ceph/ceph:v18.2.2-20240311',
      'change',
    ],
    ['the same image', 'quay.io/ceph/ceph:v18.2.4', 'quay.io/ceph/ceph:v18.2.4', 'noop'],
    [
      'v18.2.10 to v18.2.9',
      'quay.io/ceph/ceph:v18.2.10',
      'quay.io/ceph/ceph:v18.2.9',
      /would downgrade Ceph/,
    ],
    [
      'a major downgrade',
      'quay.io/ceph/ceph:v18.2.4',
      'quay.io/ceph/ceph:v17.2.7',
      /would downgrade/,
    ],
    [
      'an image without a version tag',
      'quay.io/ceph/ceph:v18.2.4',
      'quay.io/ceph/ceph:latest',
      /not a Ceph image tagged with its version/,
    ],
  ];
  for (const [name, current, target, want] of cases) {
    it(name, () => assertStep(cephImageStep(current, target), want, 'ceph'));
  }
});
