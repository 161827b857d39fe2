import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceGoal } from '../../workflows/policy/netbox-reconcile';

test('the reconcile writes only what differs, and only active/offline follow readiness', () => {
  const node = (ready: boolean, kubeletVersion = 'v1.31.14') => ({
    name: 'w',
    ready,
    kubeletVersion,
  });
  const device = (status: string, kubelet: unknown = 'v1.31.14') => ({
    status,
    customFields: { kubelet_version: kubelet, deployment_option: 'standard' },
  });
  const table: [ReturnType<typeof node>, ReturnType<typeof device>, object][] = [
    [node(true), device('active'), {}],
    [node(false), device('offline'), {}],
    [node(false), device('active'), { status: 'offline' }],
    [node(true), device('offline'), { status: 'active' }],
    [node(true), device('active', null), { customFields: { kubelet_version: 'v1.31.14' } }],
    [node(true, 'v1.32.13'), device('active'), { customFields: { kubelet_version: 'v1.32.13' } }],
    [node(true), device('staged'), {}],
    [node(false), device('failed'), {}],
    [node(true), device('planned', 'v1.30.1'), { customFields: { kubelet_version: 'v1.31.14' } }],
  ];
  for (const [n, d, goal] of table) {
    assert.deepEqual(deviceGoal(n, d), goal, JSON.stringify([n, d]));
  }
});
