// The Tigera operator migration in a Kubernetes upgrade's step to 1.26, on the dev server with
// in-memory activities: installed once, after the step's last node, and done only
// once the operator has moved Calico; an operator that does not finish within the bound becomes
// an operator wait that says what is missing, and a retry waits again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideUpdate } from '../../workflows/api';
import { FakeFleet, type FleetNode } from '../support/fake-fleet';
import { useTestServer } from '../support/temporal';
import { runUpgrade, untilWaiting, type UpgradeHandle } from '../support/upgrade-run';

const testEnv = useTestServer();
let queue = 0;

const NODES: FleetNode[] = [{ name: 'cp-1', controlPlane: true }, { name: 'w1' }, { name: 'w2' }];
const MIGRATION =
  'v1.26.15: migrate the manifest-based Calico in kube-system to the Tigera operator';

/** The migration's bound is the upgrade's stepTimeoutSeconds: 3 s here. */
function run<T>(fleet: FakeFleet, body: (h: UpgradeHandle) => Promise<T>): Promise<T> {
  const cluster = `t${++queue}`;
  const input = {
    cluster,
    target: '1.26',
    pauseSeconds: 1,
    maxUnavailable: 2,
    stepTimeoutSeconds: 3,
  };
  return runUpgrade(testEnv(), fleet, input, body);
}

const calicoFleet = () => {
  const fleet = new FakeFleet(NODES).at('v1.25.16');
  fleet.manifestCalico = true;
  return fleet;
};

describe('the Tigera operator migration at 1.26', () => {
  it('installs the operator once, after the last node, and ends when Calico moved', async () => {
    const fleet = calicoFleet();
    const result = await run(fleet, (h) => h.result());
    assert.equal(result.phase, 'done', result.message);
    assert.deepEqual(fleet.tigeraInstalls, [NODES.length], 'once, after every node Job');
    assert.ok(result.addonsApplied.includes(MIGRATION), result.addonsApplied.join('\n'));
    assert.equal(fleet.manifestCalico, false);
  });

  it('no migration without a manifest-based Calico', async () => {
    const fleet = new FakeFleet(NODES).at('v1.25.16');
    const result = await run(fleet, (h) => h.result());
    assert.equal(result.phase, 'done', result.message);
    assert.deepEqual(fleet.tigeraInstalls, []);
  });

  it('an operator that does not finish within the bound is an operator wait naming what is missing; retry waits again', async () => {
    const fleet = calicoFleet();
    fleet.tigeraStuck = true;
    const result = await run(fleet, async (h) => {
      const { reason } = await untilWaiting(h);
      assert.equal(
        reason,
        `add-on ${MIGRATION}: the Tigera operator did not finish the migration within 3s: TigeraStatus calico not Available (calico-node not ready); calico-node ready in calico-system on 0 of 3 nodes; left in kube-system: DaemonSet calico-node`,
      );
      fleet.tigeraStuck = false;
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      return h.result();
    });
    assert.equal(result.phase, 'done', result.message);
    assert.equal(fleet.tigeraInstalls.length, 2, 'installed again on retry: nothing undone');
    assert.ok(result.addonsApplied.includes(MIGRATION));
  });
});
