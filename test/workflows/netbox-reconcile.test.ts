// The NetBox reconcile workflow over a large cluster, with in-memory cluster facts and devices: it
// writes each device that differs once, and continues as new before its history grows long.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import {
  invalidInput,
  workflowIds,
  type NetboxReconcileCarried,
  type NetboxReconcileResult,
} from '../../workflows/api';
import type { ClusterFacts } from '../../workflows/policy/upgrade-plan';
import { useTestServer, workflowBundle } from '../support/temporal';

const testEnv = useTestServer();

const NODES = 120;
const name = (i: number) => `w${String(i).padStart(3, '0')}`;

/** A cluster of NODES ready nodes; NetBox knows all but w007, and every tenth has an old version. */
function fakes() {
  const devices = new Map<string, { status: string; customFields: Record<string, unknown> }>();
  for (let i = 0; i < NODES; i++) {
    if (i === 7) continue;
    const kubelet = i % 10 === 0 ? 'v1.30.1' : 'v1.31.14';
    devices.set(name(i), { status: 'active', customFields: { kubelet_version: kubelet } });
  }
  const writes = new Map<string, number>();
  const activities: Pick<Activities, 'readUpgradeFacts' | 'describeDevice' | 'updateDevice'> = {
    readUpgradeFacts: async () =>
      ({
        controlPlaneVersion: 'v1.31.14',
        nodes: Array.from({ length: NODES }, (_, i) => ({
          name: name(i),
          controlPlane: false,
          kubeletVersion: 'v1.31.14',
          ready: true,
          selected: true,
        })).reverse(), // the apiserver's order is not the reconcile's
        addons: {},
      }) as unknown as ClusterFacts,
    describeDevice: async ({ device }) => {
      const d = devices.get(device);
      if (!d) throw invalidInput('device', `no device "${device}" in NetBox`);
      return { id: 1, name: device, serial: '', oobIp: null, comments: '', lastUpdated: '', ...d };
    },
    updateDevice: async ({ device, customFields }) => {
      writes.set(device, (writes.get(device) ?? 0) + 1);
      Object.assign(devices.get(device)!.customFields, customFields);
      return { changed: Object.keys(customFields ?? {}).map((f) => `custom_fields.${f}`) };
    },
  };
  return { activities, writes };
}

describe('netboxReconcile workflow', () => {
  it('continues as new over a large cluster, each device written once, the result carried', async () => {
    const { activities, writes } = fakes();
    const taskQueue = 'netbox-reconcile-test';
    const worker = await Worker.create({
      connection: testEnv().nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    const id = workflowIds.netboxReconcile('lab');
    const carried: NetboxReconcileCarried = { continueAsNewAfterEvents: 100 };
    const result: NetboxReconcileResult = await worker.runUntil(
      testEnv().client.workflow.execute('netboxReconcile', {
        taskQueue,
        workflowId: id,
        args: [{ cluster: 'lab' }, carried],
      }),
    );
    assert.equal(result.checked, NODES - 1);
    assert.deepEqual(result.notInNetbox, ['w007']);
    const old = Array.from({ length: NODES / 10 }, (_, i) => name(i * 10));
    assert.deepEqual(
      [...result.written].sort(),
      old.map((n) => `${n}: custom_fields.kubelet_version`),
    );
    assert.deepEqual([...writes.keys()].sort(), old);
    assert.ok(
      [...writes.values()].every((n) => n === 1),
      'each device written once',
    );

    let continued = 0;
    const query = `WorkflowId = "${id}" AND ExecutionStatus = "ContinuedAsNew"`;
    // Visibility lags the runs a little.
    for (let i = 0; i < 50 && continued < 2; i++, await sleep(100)) {
      continued = 0;
      for await (const wf of testEnv().client.workflow.list({ query })) {
        continued += wf.status.name === 'CONTINUED_AS_NEW' ? 1 : 0;
      }
    }
    assert.ok(continued >= 2, `${continued} runs continued as new`);
  });
});
