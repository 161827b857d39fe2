// The Rook/Ceph upgrade's input checks, its plan (refusals naming the field) and how far Rook's
// roll of a daemon group has come, as its Deployments' labels and images show it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_INPUT } from '../../workflows/api';
import {
  groupDone,
  groupProgress,
  parseRookCephUpgradeInput,
  rookCephPlan,
  type RookDaemon,
  type RookUpgradeFacts,
} from '../../workflows/policy/rook-upgrade';

function refuses(run: () => unknown, field: string, reason: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, INVALID_INPUT);
    assert.equal(err.nonRetryable, true);
    assert.equal((err.details?.[0] as { field: string }).field, field);
    assert.match(err.message, reason);
    return true;
  });
}

const daemon = (
  type: string,
  id: string,
  rook = 'v1.15.9',
  image = 'quay.io/ceph/ceph:v18.2.4',
  cephVersion = '18.2.4-0',
): RookDaemon => ({
  deployment: `rook-ceph-${type}-${id}`,
  type,
  id,
  rookVersion: rook,
  cephVersion,
  image,
  rolledOut: true,
});

const LAB_DAEMONS = [
  daemon('mon', 'a'),
  daemon('mon', 'b'),
  daemon('mon', 'c'),
  daemon('mgr', 'a'),
  daemon('osd', '0'),
  daemon('osd', '1'),
  daemon('osd', '2'),
];

const facts = (over: Partial<RookUpgradeFacts> = {}): RookUpgradeFacts => ({
  cephCluster: { image: 'quay.io/ceph/ceph:v18.2.4' },
  operator: { version: 'v1.15.9', replicas: 1 },
  daemons: LAB_DAEMONS,
  ...over,
});

describe('parseRookCephUpgradeInput', () => {
  it('fills the defaults and keeps what was given', () => {
    assert.deepEqual(parseRookCephUpgradeInput({ cluster: 'lab', rook: 'v1.16.7' }), {
      cluster: 'lab',
      rook: 'v1.16.7',
      pauseSeconds: 5,
      gateTimeoutSeconds: 600,
    });
  });

  const bad: [string, unknown, string, RegExp][] = [
    [
      'neither a Rook version nor an image',
      { cluster: 'lab' },
      'rook',
      /Rook version, a Ceph image or both/,
    ],
    [
      'a malformed image',
      { cluster: 'lab', ceph: 'quay.io/ceph/ceph:latest' },
      'ceph',
      /not a Ceph image tagged with its version/,
    ],
    [
      'a Rook version without v',
      { cluster: 'lab', rook: '1.16.7' },
      'rook',
      /"1\.16\.7" is not a Rook version/,
    ],
    ['a bad cluster name', { cluster: 'Lab_1', rook: 'v1.16.7' }, 'cluster', /lowercase DNS label/],
    [
      'a zero gate timeout',
      { cluster: 'lab', rook: 'v1.16.7', gateTimeoutSeconds: 0 },
      'gateTimeoutSeconds',
      /greater than 0/,
    ],
    [
      'a negative pause',
      { cluster: 'lab', rook: 'v1.16.7', pauseSeconds: -1 },
      'pauseSeconds',
      /negative/,
    ],
    [
      'an unknown field',
      { cluster: 'lab', rook: 'v1.16.7', image: 'x' },
      'image',
      /not a known field/,
    ],
  ];
  for (const [name, input, field, reason] of bad) {
    it(`refuses ${name}, naming ${field}`, () =>
      refuses(() => parseRookCephUpgradeInput(input), field, reason));
  }
});

describe('rookCephPlan', () => {
  it('plans Rook then Ceph from what runs, with the daemons per group in Rook order', () => {
    assert.deepEqual(
      rookCephPlan({ cluster: 'lab', rook: 'v1.16.7', ceph: 'quay.io/ceph/ceph:v18.2.6' }, facts()),
      {
        cluster: 'lab',
        rook: { from: 'v1.15.9', to: 'v1.16.7', noop: false },
        ceph: { from: 'quay.io/ceph/ceph:v18.2.4', to: 'quay.io/ceph/ceph:v18.2.6', noop: false },
        groups: [
          { group: 'mon', daemons: ['rook-ceph-mon-a', 'rook-ceph-mon-b', 'rook-ceph-mon-c'] },
          { group: 'mgr', daemons: ['rook-ceph-mgr-a'] },
          { group: 'osd', daemons: ['rook-ceph-osd-0', 'rook-ceph-osd-1', 'rook-ceph-osd-2'] },
        ],
      },
    );
  });

  it('plans every daemon group the cluster runs (MDS, RGW, NFS, rbd-mirror, crash collectors) in Rook order, and skips those it does not run', () => {
    const daemons = [
      daemon('crashcollector', 'lab-ceph-host'),
      daemon('rgw', 'store-a'),
      daemon('mds', 'fs-a'),
      daemon('mds', 'fs-b'),
      daemon('nfs', 'nfs-a'),
      daemon('rbd-mirror', 'a'),
      ...LAB_DAEMONS,
    ];
    const plan = rookCephPlan({ cluster: 'lab', rook: 'v1.16.7' }, facts({ daemons }));
    assert.deepEqual(plan.groups, [
      { group: 'mon', daemons: ['rook-ceph-mon-a', 'rook-ceph-mon-b', 'rook-ceph-mon-c'] },
      { group: 'mgr', daemons: ['rook-ceph-mgr-a'] },
      { group: 'osd', daemons: ['rook-ceph-osd-0', 'rook-ceph-osd-1', 'rook-ceph-osd-2'] },
      { group: 'mds', daemons: ['rook-ceph-mds-fs-a', 'rook-ceph-mds-fs-b'] },
      { group: 'rgw', daemons: ['rook-ceph-rgw-store-a'] },
      { group: 'nfs', daemons: ['rook-ceph-nfs-nfs-a'] },
      { group: 'rbd-mirror', daemons: ['rook-ceph-rbd-mirror-a'] },
      { group: 'crashcollector', daemons: ['rook-ceph-crashcollector-lab-ceph-host'] },
    ]);
    // Only an RGW beside the required three: the other optional groups are not planned.
    const some = rookCephPlan(
      { cluster: 'lab', rook: 'v1.16.7' },
      facts({ daemons: [...LAB_DAEMONS, daemon('rgw', 'store-a')] }),
    );
    assert.deepEqual(
      some.groups.map((g) => g.group),
      ['mon', 'mgr', 'osd', 'rgw'],
    );
  });

  it('a target that already runs is no change', () => {
    const plan = rookCephPlan({ cluster: 'lab', ceph: 'quay.io/ceph/ceph:v18.2.4' }, facts());
    assert.deepEqual(plan.ceph, {
      from: 'quay.io/ceph/ceph:v18.2.4',
      to: 'quay.io/ceph/ceph:v18.2.4',
      noop: true,
    });
    assert.equal(plan.rook, undefined);
  });

  const refusals: [string, Parameters<typeof rookCephPlan>[0], RookUpgradeFacts, string, RegExp][] =
    [
      [
        'a Rook downgrade',
        { cluster: 'lab', rook: 'v1.14.12' },
        facts(),
        'rook',
        /would downgrade Rook from v1\.15\.9/,
      ],
      [
        'a skipped Rook minor',
        { cluster: 'lab', rook: 'v1.17.4' },
        facts(),
        'rook',
        /one minor at a time/,
      ],
      [
        'a Ceph downgrade',
        { cluster: 'lab', ceph: 'quay.io/ceph/ceph:v17.2.7' },
        facts(),
        'ceph',
        /would downgrade Ceph/,
      ],
      [
        'an operator an earlier upgrade stopped',
        { cluster: 'lab', rook: 'v1.16.7' },
        facts({ operator: { version: 'v1.15.9', replicas: 0 } }),
        'cluster',
        /scaled to 0/,
      ],
      [
        'a cluster without a mgr, even with an MDS',
        { cluster: 'lab', rook: 'v1.16.7' },
        facts({ daemons: [...LAB_DAEMONS.filter((d) => d.type !== 'mgr'), daemon('mds', 'a')] }),
        'cluster',
        /no mgr daemons/,
      ],
      [
        'a cluster without OSDs',
        { cluster: 'lab', rook: 'v1.16.7' },
        facts({ daemons: LAB_DAEMONS.filter((d) => d.type !== 'osd') }),
        'cluster',
        /no osd daemons/,
      ],
    ];
  for (const [name, input, f, field, reason] of refusals) {
    it(`refuses ${name}, naming ${field}`, () =>
      refuses(() => rookCephPlan(input, f), field, reason));
  }
});

describe('groupProgress', () => {
  it('a group is rolled to a Rook version once every Deployment carries its label and rolled out', () => {
    const daemons = [
      daemon('osd', '0', 'v1.16.7'),
      { ...daemon('osd', '1', 'v1.16.7'), rolledOut: false },
      daemon('osd', '2'),
      daemon('mon', 'a'),
    ];
    const p = groupProgress(daemons, 'osd', { rook: 'v1.16.7' });
    assert.deepEqual(p, {
      group: 'osd',
      rolled: ['rook-ceph-osd-0'],
      pending: [
        'rook-ceph-osd-1 at Rook v1.16.7, rollout not finished',
        'rook-ceph-osd-2 at Rook v1.15.9',
      ],
    });
    assert.equal(groupDone(p), false);
    assert.equal(groupDone(groupProgress(daemons, 'mon', { rook: 'v1.15.9' })), true);
  });

  it('a group is rolled to an image once it runs the image and reports its Ceph version', () => {
    const image = 'quay.io/ceph/ceph:v18.2.6';
    const daemons = [
      daemon('mon', 'a', 'v1.15.9', image, '18.2.6-0'),
      // The image is set but Rook has not yet seen the daemon run it.
      daemon('mon', 'b', 'v1.15.9', image, '18.2.4-0'),
      daemon('mon', 'c'),
    ];
    const p = groupProgress(daemons, 'mon', { ceph: image });
    assert.deepEqual(p.rolled, ['rook-ceph-mon-a']);
    assert.deepEqual(p.pending, [
      'rook-ceph-mon-b at quay.io/ceph/ceph:v18.2.6 (ceph-version 18.2.4-0)',
      'rook-ceph-mon-c at quay.io/ceph/ceph:v18.2.4 (ceph-version 18.2.4-0)',
    ]);
    // A build-dated tag names the same Ceph version as Rook's label.
    const dated = 'quay.io/ceph/ceph:v18.2.6-20240311';
    assert.ok(
      groupDone(
        groupProgress([daemon('mgr', 'a', 'v1.15.9', dated, '18.2.6-0')], 'mgr', { ceph: dated }),
      ),
    );
  });

  it('an MDS at the old Rook version keeps its group pending', () => {
    const daemons = [daemon('mds', 'fs-a', 'v1.16.7'), daemon('mds', 'fs-b'), daemon('osd', '0')];
    const p = groupProgress(daemons, 'mds', { rook: 'v1.16.7' });
    assert.deepEqual(p.pending, ['rook-ceph-mds-fs-b at Rook v1.15.9']);
    assert.equal(groupDone(p), false);
  });

  it('a group without daemons is not done', () => {
    assert.equal(groupDone(groupProgress([], 'mgr', { rook: 'v1.16.7' })), false);
  });
});
