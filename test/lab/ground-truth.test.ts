// The ground-truth readers on a real lab's own records: a kubectl cordon, drain and uncordon read
// back from the apiserver's audit log and the node sampler, and ipmitool power commands read back
// from each BMC's log; the checker then finds the uncordon and the wrong BMC there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiWrites } from '../support/ground-truth/audit';
import { bmcEvents } from '../support/ground-truth/bmc';
import { sampleNodes } from '../support/ground-truth/kube';
import { netboxSerials } from '../support/ground-truth/netbox';
import type { OperationWindow } from '../support/ground-truth/records';
import { ipmitool } from '../support/ipmitool';
import { startTestLab, type TestLab } from '../support/lab';
import { foreignUncordons, wrongSerialCommands } from '../support/unsafe-actions/unsafe';

const SCENARIO = 'bmc-lab.yaml';
let lab: TestLab;

before(async () => (lab = await startTestLab(SCENARIO)), { timeout: 300_000 });
after(async () => lab?.stop());

const now = () => new Date().toISOString();

test('a kubectl drain and uncordon, read back from the audit log and the node sampler', async () => {
  const overrides = JSON.stringify({ spec: { nodeName: 'worker-2' } });
  await lab.kubectl(
    'run',
    'probe',
    '--image=registry.k8s.io/pause:3.10',
    '--restart=Never',
    `--overrides=${overrides}`,
  );
  await lab.kubectl('wait', '--for=condition=Ready', 'pod/probe', '--timeout=120s');
  const nodes = sampleNodes(lab.kubeconfigPath, 100);
  const start = now();
  await lab.kubectl('drain', 'worker-2', '--force', '--ignore-daemonsets', '--timeout=120s');
  await lab.kubectl('uncordon', 'worker-2');
  const end = now();
  const { records, failures } = await nodes.stop();
  assert.equal(failures, 0);

  const byKubectl = apiWrites(lab.stateDir).filter(
    (w) => w.at >= start && w.userAgent.startsWith('kubectl/'),
  );
  const seen = byKubectl.map((w) => `${w.verb} ${w.resource} ${w.namespace ?? ''}/${w.name}`);
  assert.deepEqual(
    seen.filter((w) => !w.startsWith('delete pods')),
    ['patch nodes /worker-2', 'create pods/eviction default/probe', 'patch nodes /worker-2'],
    seen.join('\n'),
  );
  assert.ok(byKubectl.every((w) => w.user === 'kubernetes-admin' && w.code < 300));
  const states = records.map((s) => s.nodes.find((n) => n.name === 'worker-2')!.unschedulable);
  assert.ok(states.includes(true) && states.at(-1) === false, JSON.stringify(states));
  // Taken for a Steward drain, the uncordon is of a cordon it does not own (kubectl's, no owner).
  const drain: OperationWindow = {
    id: 'drain-worker-2',
    kind: 'drain',
    start,
    end,
    targets: ['worker-2'],
  };
  const found = foreignUncordons(records, [drain]);
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.match(found[0].detail, /worker-2 uncordoned during drain-worker-2/);
});

test("ipmitool power commands, read back from each BMC's log with its FRU serial", async () => {
  const start = now();
  for (const host of ['worker-1', 'misfit']) {
    const run = await ipmitool(lab, SCENARIO, host, ['chassis', 'power', 'on']);
    assert.equal(run.code, 0, run.stderr);
  }
  const end = now();
  const events = bmcEvents(lab.stateDir).filter((e) => e.at >= start);
  assert.deepEqual(
    events.map((e) => `${e.bmc} ${e.fruSerial} ${e.command} => ${e.effect}`),
    ['worker-1 SRV-1001 set power 1 => unchanged', 'misfit SRV-4001 set power 1 => unchanged'],
  );
  const serials = await netboxSerials(lab);
  const op: OperationWindow = {
    id: 'reinstall',
    kind: 'reinstall',
    start,
    end,
    targets: ['worker-1', 'misfit'],
  };
  const found = wrongSerialCommands(events, serials, [op]);
  assert.deepEqual(
    found.map((f) => f.detail.split(';')[0]),
    ['"set power 1" reached the BMC of misfit (FRU serial SRV-4001)'],
  );
});
