// A lab of the test's own: a fresh state dir on free ports, stopped and removed afterwards.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before } from 'node:test';
import { createActivities, type Activities, type ActivityDeps } from '../../activities';
import { freePorts, startLab, stopLab, type LabConnection } from '../../lab';
import { labOpenStackConfig } from '../../scripts/stack';
import { helmBinary } from '../../lab/ceph/helm';
import { labClusterConfig } from '../../scripts/stack';

export const FIXTURES = join(__dirname, '../fixtures');

export interface TestLab extends LabConnection {
  stateDir: string;
  kubectl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestLab(scenario: string): Promise<TestLab> {
  const stateDir = mkdtempSync(join(tmpdir(), 'steward-test-'));
  const stop = async () => {
    await stopLab(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  };
  let connection: LabConnection;
  try {
    const ports = await freePorts();
    connection = await startLab({ stateDir, scenarioPath: join(FIXTURES, scenario), ports });
  } catch (err) {
    await stop();
    throw err;
  }
  const kubeconfig = connection.kubeconfigPath;
  return {
    ...connection,
    stateDir,
    kubectl: async (...args) =>
      (await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, ...args])).stdout,
    stop,
  };
}

/**
 * A lab for the test file, started before its tests and stopped after, with activities bound to
 * it (with hosts in the scenario, the BMC and DNS activities use the lab's BMC port and DNS, the
 * NetBox and Vault activities the lab's NetBox and OpenBao; with Ceph, the Ceph and Rook
 * activities its ceph conf, keyring, chart repository and helm).
 */
export function useLabActivities(
  scenario: string,
  deps: Partial<ActivityDeps> = {},
): { lab: TestLab; act: Activities } {
  const ctx = {} as { lab: TestLab; act: Activities };
  before(
    async () => {
      ctx.lab = await startTestLab(scenario);
      const clusters = { lab: labClusterConfig(ctx.lab) };
      const bm = ctx.lab.bareMetal;
      const { netbox, vault } = ctx.lab;
      ctx.act = createActivities({
        clusters,
        netbox,
        vault,
        ...((ctx.lab.ceph || ctx.lab.tigera) && { helm: helmBinary() }),
        ...(ctx.lab.openstack && { openstack: { lab: labOpenStackConfig(ctx.lab.openstack) } }),
        ...deps,
        ...(bm && {
          provisioningUrl: bm.provisioning.url,
          // ipmi_sim answers every boot flags read with the valid bit clear.
          bmc: { port: bm.bmc.port, bootFlagValidBit: 'not-reported', ...deps.bmc },
          dns: { servers: [bm.dns.server], ...deps.dns },
        }),
      });
    },
    // A lab with OpenStack starts in minutes on a busy machine.
    { timeout: 900_000 },
  );
  after(async () => ctx.lab?.stop());
  return ctx;
}
