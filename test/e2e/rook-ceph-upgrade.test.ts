// Rook/Ceph upgrades end to end through the CLI on the lab's real Ceph under the lab Rook operator,
// one lab for the file, each test starting where the last left it (Rook v1.15.9, Ceph v18.2.4 at
// the start): bad input refused with nothing changed, a dry run, `steward ceph-health` against
// the ceph CLI, then a Rook-only upgrade (v1.16.7), a Ceph-only one (v18.2.6) and both together
// (v1.17.4 and v18.2.7). Each is checked against the lab operator's record of its restarts, the
// ceph CLI sampled meanwhile, kubectl and helm. Steward runs with only deploy/rbac's ServiceAccount
// token: the apiserver's audit log shows the upgrades' writes as its own and nothing refused.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { setCephDaemonFault } from '../../lab';
import { waitFor } from '../../lab/wait';
import {
  INVALID_INPUT,
  TASK_QUEUE,
  workflowIds,
  type RookCephUpgradeResult,
} from '../../workflows/api';
import {
  cephClusterJson,
  cephJson,
  daemonLabels,
  rookChangeables,
  rookHelmRelease,
  rookRestarts,
  sampleCeph,
} from '../support/lab-rook';
import { auditEvents, clientWrites, describeAuditEvent } from '../support/audit';
import { stewardRequestsNoneRefused } from '../support/rbac';
import { assertGatesHonest, assertRolledOnce } from '../support/rook-upgrade-checks';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

before(
  async () => {
    stack = await startTestStack('ceph-lab.yaml', { rbac: ['00-identity', '40-rook'] });
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

const ID = workflowIds.rookUpgrade('lab');
const output = (run: { stdout: string; stderr: string }) => `${run.stdout}${run.stderr}`;
const ceph = (...args: string[]) => cephJson(stack.lab, ...args);
const helmRelease = () => rookHelmRelease(stack.lab);
const changeables = () => rookChangeables(stack.lab);

/** Runs `steward rook-upgrade lab ARGS --pause 1s` to its end, sampling Ceph meanwhile. */
async function upgrade(...args: string[]) {
  const mark = rookRestarts(stack.lab).length;
  const sampler = sampleCeph(stack.lab);
  const run = await stack.steward('rook-upgrade', 'lab', ...args, '--pause', '1s');
  await sampler.stop();
  assert.equal(run.code, 0, output(run));
  const result: RookCephUpgradeResult = await stack.client.workflow.getHandle(ID).result();
  assert.equal(result.outcome, 'upgraded', result.message);
  assert.match(
    run.stdout,
    new RegExp(`^${result.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
  );
  return { result, restarts: rookRestarts(stack.lab).slice(mark), samples: sampler.samples };
}

/** kubectl's labels on every daemon Deployment. */
const labels = (key: string) => daemonLabels(stack.lab, key);
const every = (value: string) =>
  Object.fromEntries(
    ['mgr-a', 'mon-a', 'mon-b', 'mon-c', 'osd-0', 'osd-1', 'osd-2'].map((d) => [
      `rook-ceph-${d}`,
      value,
    ]),
  );

it('refuses bad input through the CLI and the UI with the field named, and changes nothing', async () => {
  const before = await changeables();
  const auditMark = auditEvents(stack.lab.stateDir).length;
  const cases: [string[], string, RegExp][] = [
    [['--rook', 'v1.14.12'], 'rook', /v1\.14\.12 would downgrade Rook from v1\.15\.9/],
    [['--rook', 'v1.17.4'], 'rook', /one minor at a time: v1\.15\.9 → v1\.16\.x first/],
    [['--ceph', 'quay.io/ceph/ceph:latest'], 'ceph', /not a Ceph image tagged with its version/],
    [['--ceph', 'quay.io/ceph/ceph:v17.2.7'], 'ceph', /would downgrade Ceph/],
    [[], 'rook', /give a Rook version, a Ceph image or both/],
  ];
  for (const [args, field, reason] of cases) {
    const run = await stack.steward('rook-upgrade', 'lab', ...args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${output(run)}`);
    // Refused by the CLI (stderr) or, once the cluster is read, by the workflow (stdout).
    assert.match(output(run), new RegExp(`^(steward: )?(refused: )?${field}: `, 'm'));
    assert.match(output(run), reason);
  }
  const unknown = await stack.steward('rook-upgrade', 'nope', '--rook', 'v1.16.7');
  assert.equal(unknown.code, 2, output(unknown));
  assert.match(output(unknown), /cluster: unknown cluster "nope"/);

  // As the Temporal UI starts it: JSON input, a malformed image.
  await assert.rejects(
    stack.client.workflow.execute('rookCephUpgrade', {
      taskQueue: TASK_QUEUE,
      workflowId: ID,
      args: [{ cluster: 'lab', ceph: 'ceph:reef' }],
    }),
    (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, INVALID_INPUT);
      assert.deepEqual(err.cause.details?.[0], {
        field: 'ceph',
        reason:
          '"ceph:reef" is not a Ceph image tagged with its version, like quay.io/ceph/ceph:v18.2.4',
      });
      return true;
    },
  );
  assert.deepEqual(await changeables(), before, 'nothing changed');
  const writes = clientWrites(auditEvents(stack.lab.stateDir).slice(auditMark)).filter((e) =>
    ['deployments', 'cephclusters', 'secrets'].includes(e.objectRef?.resource ?? ''),
  );
  assert.deepEqual(writes.map(describeAuditEvent), [], 'the apiserver recorded no write');
});

it('a dry run says what would change and the gate now, changing nothing', async () => {
  const before = await changeables();
  const run = await stack.steward(
    'rook-upgrade',
    'lab',
    '--rook',
    'v1.16.7',
    '--ceph',
    'quay.io/ceph/ceph:v18.2.6',
    '--dry-run',
  );
  assert.equal(run.code, 0, output(run));
  assert.match(run.stdout, /Rook {3}v1\.15\.9 → v1\.16\.7/);
  assert.match(
    run.stdout,
    /Ceph {3}quay\.io\/ceph\/ceph:v18\.2\.4 → quay\.io\/ceph\/ceph:v18\.2\.6/,
  );
  assert.match(
    run.stdout,
    /rook-ceph-mon-a, rook-ceph-mon-b, rook-ceph-mon-c → rook-ceph-mgr-a → rook-ceph-osd-0, rook-ceph-osd-1, rook-ceph-osd-2/,
  );
  assert.match(run.stdout, /health gate PASS: HEALTH_OK/);
  assert.deepEqual(await changeables(), before, 'nothing changed');
});

it('`steward ceph-health` gives the verdict the ceph CLI implies, naming a down OSD as Ceph does', async () => {
  const healthy = await stack.steward('ceph-health', 'lab');
  assert.equal(healthy.code, 0, output(healthy));
  const status = await ceph('status');
  assert.equal(
    healthy.stdout.trim(),
    `lab: health gate PASS: ${status.health.status}; ${status.pgmap.num_pgs} PGs: ${status.pgmap.num_pgs} active+clean; quorum a,b,c of 3 mons; 3 of 3 OSDs up, 3 in`,
  );

  await setCephDaemonFault(stack.lab.kubeconfigPath, 'osd.1', 'down');
  try {
    let sick = healthy;
    await waitFor(
      'ceph-health to name osd.1',
      async () => {
        sick = await stack.steward('ceph-health', 'lab');
        return (sick.code === 1 && /OSD_DOWN/.test(sick.stdout)) || output(sick);
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    assert.match(sick.stdout, /^lab: health gate FAIL: HEALTH_WARN;/);
    assert.match(sick.stdout, /^ {2}osds: osd\.1 down$/m);
    const detail = await ceph('health', 'detail');
    for (const line of detail.checks.OSD_DOWN.detail as { message: string }[]) {
      assert.ok(sick.stdout.includes(line.message), `Ceph's "${line.message}" quoted`);
    }
    assert.match(sick.stdout, /osd\.1 \(root=default,host=vm\) is down/);
  } finally {
    await setCephDaemonFault(stack.lab.kubeconfigPath, 'osd.1', undefined);
  }
  await waitFor(
    'HEALTH_OK again',
    async () => (await stack.steward('ceph-health', 'lab')).code === 0,
    {
      timeoutMs: 120_000,
      intervalMs: 1_000,
    },
  );
});

it(
  'a Rook-only upgrade: helm upgrades the operator, Rook re-rolls every daemon, gated group by group',
  { timeout: 600_000 },
  async () => {
    const auditMark = auditEvents(stack.lab.stateDir).length;
    const { result, restarts, samples } = await upgrade('--rook', 'v1.16.7');
    // The audit log sees Helm's writes: the same log shows a refused upgrade wrote nothing.
    const helmWrites = clientWrites(auditEvents(stack.lab.stateDir).slice(auditMark)).filter(
      (e) => e.objectRef?.namespace === 'rook-ceph' && e.objectRef.resource === 'secrets',
    );
    assert.ok(
      helmWrites.some((e) => e.verb === 'create' && e.objectRef?.name?.endsWith('.v2')),
      helmWrites.map(describeAuditEvent).join('\n'),
    );
    assertRolledOnce(restarts, ['v1.16.7 quay.io/ceph/ceph:v18.2.4']);
    assertGatesHonest(result, restarts, samples);
    assert.deepEqual(result.rook, { from: 'v1.15.9', to: 'v1.16.7', noop: false });
    // helm and kubectl agree with what Steward reports.
    const release = await helmRelease();
    assert.deepEqual(
      [release.chart, release.status, release.revision],
      ['rook-ceph-v1.16.7', 'deployed', '2'],
    );
    assert.ok(
      result.log.includes(
        "helm upgraded Rook's operator rook-ceph-v1.15.9 → rook-ceph-v1.16.7; it rolled out",
      ),
      result.log.join('\n'),
    );
    assert.deepEqual(await labels('rook-version'), every('v1.16.7'));
    assert.deepEqual(await labels('ceph-version'), every('18.2.4-0'));
    const osdLine = result.log.find((l) => l.startsWith('OSDs at Rook v1.16.7:'));
    assert.equal(
      osdLine,
      'OSDs at Rook v1.16.7: rook-ceph-osd-0, rook-ceph-osd-1, rook-ceph-osd-2 rolled',
    );
  },
);

it(
  'a Ceph-only upgrade: the CephCluster image, every daemon at the new version, gated group by group',
  { timeout: 600_000 },
  async () => {
    const image = 'quay.io/ceph/ceph:v18.2.6';
    const { result, restarts, samples } = await upgrade('--ceph', image);
    assertRolledOnce(restarts, [`v1.16.7 ${image}`]);
    assertGatesHonest(result, restarts, samples);
    assert.deepEqual(await labels('ceph-version'), every('18.2.6-0'));
    const cc = await cephClusterJson(stack.lab);
    assert.equal(cc.spec.cephVersion.image, image);
    assert.deepEqual(cc.status.version, { image, version: '18.2.6-0' });
    // The ceph CLI agrees with the last gate's reading.
    const status = await ceph('status');
    assert.equal(status.health.status, 'HEALTH_OK');
    assert.match(
      result.gates.at(-1)!.summary,
      new RegExp(`^HEALTH_OK; ${status.pgmap.num_pgs} PGs: ${status.pgmap.num_pgs} active\\+clean`),
    );
  },
);

it(
  'Rook and Ceph together: Rook first, then Ceph, every daemon rolled once per change',
  { timeout: 900_000 },
  async () => {
    const image = 'quay.io/ceph/ceph:v18.2.7';
    const { result, restarts, samples } = await upgrade('--rook', 'v1.17.4', '--ceph', image);
    assertRolledOnce(restarts, ['v1.17.4 quay.io/ceph/ceph:v18.2.6', `v1.17.4 ${image}`]);
    assertGatesHonest(result, restarts, samples);
    assert.equal(result.gates.length, 8);
    assert.deepEqual(await labels('rook-version'), every('v1.17.4'));
    assert.deepEqual(await labels('ceph-version'), every('18.2.7-0'));
    assert.equal((await helmRelease()).chart, 'rook-ceph-v1.17.4');
    const status = await stack.steward('status', ID);
    assert.equal(status.code, 0, output(status));
    assert.match(status.stdout, /^lab: done$/m);

    const asSteward = stewardRequestsNoneRefused(stack.lab.stateDir);
    const wrote = (resource: string) =>
      asSteward.some(
        (e) =>
          ['create', 'update', 'patch'].includes(e.verb) &&
          e.objectRef?.resource === resource &&
          (e.responseStatus?.code ?? 0) < 300,
      );
    assert.ok(wrote('secrets'), "Helm's release records written as Steward");
    assert.ok(wrote('cephclusters'), 'the Ceph image set as Steward');
  },
);
