import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  renderDrainResult,
  renderDrainStatus,
  renderGuardStatus,
  renderPlan,
  renderReinstallPlan,
  renderWindowNow,
} from '../../cli/render';
import type {
  DrainNodeResult,
  DrainPlan,
  DrainStatus,
  PodAction,
  PodLeft,
  PodRef,
  PodVerdict,
  ReinstallPlan,
} from '../../workflows/api';

const ref = (name: string, namespace = 'shop'): PodRef => ({ namespace, name, uid: `uid-${name}` });
const verdict = (action: PodAction, name: string, reason: string): PodVerdict => ({
  pod: ref(name),
  action,
  reason,
});

function plan(changes: Partial<DrainPlan> = {}): DrainPlan {
  return {
    cluster: 'lab',
    node: 'worker-1',
    alreadyCordoned: false,
    evict: [],
    skip: [],
    refuse: [],
    ...changes,
  };
}

function status(changes: Partial<DrainStatus> = {}): DrainStatus {
  return {
    cluster: 'lab',
    node: 'worker-1',
    phase: 'evicting',
    cordonedBySteward: true,
    evicted: [],
    left: [],
    decisions: [],
    ...changes,
  };
}

const lines = (text: string) => text.split('\n');

describe('renderPlan', () => {
  it('names the target and says nothing changed', () => {
    const [title] = lines(renderPlan(plan()));
    assert.match(title, /^Drain plan for lab\/worker-1 \(nothing changed\)$/);
  });

  it('mentions an already cordoned node', () => {
    const [title] = lines(renderPlan(plan({ alreadyCordoned: true })));
    assert.match(title, /; the node is already cordoned$/);
  });

  it('lists each group with its count, pods and reasons, in evict/skip/refuse order', () => {
    const out = lines(
      renderPlan(
        plan({
          evict: [
            verdict('evict', 'web-1', 'managed by ReplicaSet web-rs'),
            verdict('evict', 'job-1', 'finished (Succeeded)'),
          ],
          skip: [verdict('skip', 'agent', 'managed by DaemonSet node-exporter')],
        }),
      ),
    );
    assert.deepEqual(out.slice(1, -1), [
      'evict (2):',
      '  shop/web-1: managed by ReplicaSet web-rs',
      '  shop/job-1: finished (Succeeded)',
      'skip (1):',
      '  shop/agent: managed by DaemonSet node-exporter',
    ]);
  });

  it('leaves out empty groups', () => {
    const out = renderPlan(plan({ evict: [verdict('evict', 'web-1', 'x')] }));
    assert.doesNotMatch(out, /^skip/m);
    assert.doesNotMatch(out, /^refuse/m);
  });

  const endings: { name: string; plan: DrainPlan; last: RegExp }[] = [
    {
      name: 'counts the evictions when nothing is refused',
      plan: plan({ evict: [verdict('evict', 'a', 'x'), verdict('evict', 'b', 'y')] }),
      last: /^The drain would evict 2 pods\.$/,
    },
    {
      name: 'says zero pods for an empty node',
      plan: plan(),
      last: /^The drain would evict 0 pods\.$/,
    },
    {
      name: 'says the drain would be refused when a pod is refused',
      plan: plan({
        evict: [verdict('evict', 'a', 'x')],
        refuse: [verdict('refuse', 'bare', 'not managed by a controller; use force')],
      }),
      last: /^The drain would be refused .*--force, --delete-emptydir-data/,
    },
  ];
  for (const { name, plan: p, last } of endings) {
    it(name, () => {
      assert.match(lines(renderPlan(p)).at(-1)!, last);
    });
  }

  it('shows the refused pods and their reasons', () => {
    const out = renderPlan(
      plan({ refuse: [verdict('refuse', 'cache', 'uses emptyDir; use deleteEmptyDirData')] }),
    );
    assert.ok(lines(out).includes('refuse (1):'));
    assert.ok(lines(out).includes('  shop/cache: uses emptyDir; use deleteEmptyDirData'));
  });
});

describe('renderDrainStatus', () => {
  const left = (n: number): PodLeft[] =>
    Array.from({ length: n }, (_, i) => ({
      pod: ref(`web-${i + 1}`),
      blocker: `PodDisruptionBudget shop/web allows 0 disruptions (${i + 1})`,
    }));

  it('summarises phase, counts and who cordoned', () => {
    const [head] = lines(
      renderDrainStatus(status({ evicted: [ref('a'), ref('b'), ref('c')], left: left(2) })),
    );
    assert.equal(head, 'lab/worker-1: evicting; evicted 3, left 2; cordoned by Steward');
  });

  it('says when Steward did not cordon the node', () => {
    const [head] = lines(renderDrainStatus(status({ cordonedBySteward: false })));
    assert.match(head, /; not cordoned by Steward$/);
  });

  it('shows the waiting reason', () => {
    const out = lines(
      renderDrainStatus(
        status({ phase: 'waiting-for-operator', waitingReason: 'timed out after 600s' }),
      ),
    );
    assert.equal(out[1], 'waiting for an operator: timed out after 600s');
  });

  it('has no waiting line when not waiting', () => {
    assert.doesNotMatch(renderDrainStatus(status({ left: left(1) })), /waiting for an operator/);
  });

  it('lists the pods left with their blockers', () => {
    const out = lines(renderDrainStatus(status({ left: left(2) })));
    assert.deepEqual(out.slice(1), [
      '  shop/web-1: PodDisruptionBudget shop/web allows 0 disruptions (1)',
      '  shop/web-2: PodDisruptionBudget shop/web allows 0 disruptions (2)',
    ]);
  });

  const truncation: { left: number; shown: number; more?: string }[] = [
    { left: 19, shown: 19 },
    { left: 20, shown: 20 },
    { left: 21, shown: 20, more: '  … and 1 more' },
    { left: 45, shown: 20, more: '  … and 25 more' },
  ];
  for (const { left: count, shown: visible, more: rest } of truncation) {
    it(`shows ${visible} of ${count} pods left${rest ? ' and how many more' : ''}`, () => {
      const out = lines(renderDrainStatus(status({ left: left(count) })));
      const podLines = out.filter((l) => l.startsWith('  shop/'));
      assert.equal(podLines.length, visible);
      assert.equal(podLines.at(-1), `  shop/web-${visible}: ${left(visible).at(-1)!.blocker}`);
      if (rest) assert.equal(out.at(-1), rest);
      else assert.ok(!out.some((l) => l.includes('more')));
    });
  }
});

describe('renderDrainResult', () => {
  it('appends the message to the status', () => {
    const result: DrainNodeResult = {
      ...status({ phase: 'drained' }),
      outcome: 'drained',
      message: 'worker-1 is drained and stays cordoned',
    };
    const out = lines(renderDrainResult(result));
    assert.match(out[0], /^lab\/worker-1: drained;/);
    assert.equal(out.at(-1), 'worker-1 is drained and stays cordoned');
  });
});

describe('renderGuardStatus', () => {
  it('lists each lease with its holder, operation, nodes and since when, and the budget', () => {
    const since = '2026-12-06T21:00:00.000Z';
    const text = renderGuardStatus({
      cluster: 'lab',
      maxUnavailableNodes: 2,
      unavailable: 2,
      leases: [
        {
          holder: { workflowId: 'drain/lab/w1', firstRunId: 'r1' },
          operation: 'drain',
          nodes: ['w1'],
          unavailable: 1,
          since,
        },
        {
          holder: { workflowId: 'reinstall/w2', firstRunId: 'r2' },
          operation: 'node-reinstall',
          nodes: ['w2'],
          unavailable: 1,
          since,
        },
      ],
    });
    assert.equal(
      text,
      [
        'guard of lab: 2 of 2 nodes may be unavailable',
        `  drain/lab/w1 (drain, node w1, since ${since})`,
        `  reinstall/w2 (node-reinstall, node w2, since ${since})`,
      ].join('\n'),
    );
  });

  it('says when there is no lease', () => {
    assert.equal(
      renderGuardStatus({ cluster: 'lab', leases: [], unavailable: 0 }),
      'guard of lab: 0 nodes may be unavailable\n  no leases',
    );
  });
});

describe('renderWindowNow', () => {
  const window = {
    days: ['sat' as const],
    start: '22:00',
    end: '04:00',
    timeZone: 'Europe/Berlin',
  };
  it('says a window is open now', () =>
    assert.equal(
      renderWindowNow(window, Date.parse('2026-12-12T22:30:00Z')),
      'Nodes start only in the maintenance window sat 22:00-04:00 Europe/Berlin; it is open now.',
    ));
  it('says when a closed window opens, in its zone and UTC', () =>
    assert.equal(
      renderWindowNow(window, Date.parse('2026-12-06T12:00:00Z')),
      'Nodes start only in the maintenance window sat 22:00-04:00 Europe/Berlin; it is closed now and opens at sat 2026-12-12 22:00:00 Europe/Berlin (21:00:00 UTC).',
    ));
  const windows = [
    window,
    { days: ['wed' as const], start: '03:00', end: '05:00', timeZone: 'UTC' },
  ];
  it('says which of several windows opens next, and when', () =>
    assert.equal(
      renderWindowNow(windows, Date.parse('2026-12-06T12:00:00Z')),
      'Nodes start only in the maintenance windows sat 22:00-04:00 Europe/Berlin; wed 03:00-05:00 UTC; they are closed now and the next to open is wed 03:00-05:00 UTC, at wed 2026-12-09 03:00:00 UTC (03:00:00 UTC).',
    ));
  it('says one of several windows is open', () =>
    assert.equal(
      renderWindowNow(windows, Date.parse('2026-12-12T22:30:00Z')),
      'Nodes start only in the maintenance windows sat 22:00-04:00 Europe/Berlin; wed 03:00-05:00 UTC; one is open now.',
    ));
});

describe('renderReinstallPlan', () => {
  const base: ReinstallPlan = {
    node: 'hv-4',
    cluster: 'lab',
    netboxStatus: 'active',
    deployment: 'none',
    script: { bytes: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb924' },
    kubernetesNode: false,
    bmc: '127.0.1.4',
    bmcSerial: 'LAB-HV4',
    power: 'on',
  };

  it("a hypervisor's plan lists each instance's move and target, and the ones that cannot move", () => {
    const text = renderReinstallPlan({
      ...base,
      hypervisor: {
        region: 'lab',
        service: 'nova-compute up, enabled',
        instances: [
          { id: '1', name: 'vm-1', status: 'ACTIVE', kind: 'live-migration', target: 'hv-1' },
          { id: '2', name: 'vm-2', status: 'SHUTOFF', kind: 'migration', target: 'hv-2' },
          { id: '3', name: 'vm-3', status: 'ERROR', problem: 'vm-3 is ERROR: neither' },
        ],
      },
    });
    assert.match(text, /^ {2}Nova \(lab\) +nova-compute up, enabled: disabled and emptied first/m);
    assert.match(text, /^ {4}vm-1 \(ACTIVE\): live-migration to hv-1$/m);
    assert.match(text, /^ {4}vm-2 \(SHUTOFF\): migration to hv-2$/m);
    assert.match(text, /^ {4}vm-3 \(ERROR\): CANNOT MOVE: vm-3 is ERROR: neither$/m);
  });

  it('says nothing about Nova for a host that is no hypervisor', () =>
    assert.doesNotMatch(renderReinstallPlan(base), /Nova/));
});
