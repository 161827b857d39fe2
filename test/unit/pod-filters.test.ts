import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodAction } from '../../workflows/api';
import { classifyPod, classifyPods, type PodFacts } from '../../workflows/policy/pod-filters';

/** A running pod managed by a live ReplicaSet, unless `facts` says otherwise. */
function pod(name: string, facts: Partial<Omit<PodFacts, 'pod'>> = {}): PodFacts {
  return {
    pod: { namespace: 'shop', name, uid: `uid-${name}` },
    phase: 'Running',
    controller: { kind: 'ReplicaSet', name: 'web-rs' },
    controllerExists: true,
    mirror: false,
    usesEmptyDir: false,
    terminating: false,
    ...facts,
  };
}

const NONE = { force: false, deleteEmptyDirData: false };
const FORCE = { force: true, deleteEmptyDirData: false };
const EMPTYDIR = { force: false, deleteEmptyDirData: true };
const BOTH = { force: true, deleteEmptyDirData: true };

const daemonSet = { kind: 'DaemonSet', name: 'node-exporter' };

describe('classifyPod', () => {
  const cases: {
    name: string;
    facts: Partial<Omit<PodFacts, 'pod'>>;
    options: typeof NONE;
    action: PodAction;
    reason: RegExp;
  }[] = [
    {
      name: 'a pod managed by a live controller is evicted',
      facts: {},
      options: NONE,
      action: 'evict',
      reason: /^managed by ReplicaSet web-rs$/,
    },
    {
      name: 'a mirror pod is skipped',
      facts: { mirror: true, controller: undefined },
      options: BOTH,
      action: 'skip',
      reason: /mirror pod/,
    },
    {
      name: 'a terminating pod is evicted (waited for)',
      facts: { terminating: true },
      options: NONE,
      action: 'evict',
      reason: /already terminating/,
    },
    {
      name: 'a Succeeded pod is evicted',
      facts: { phase: 'Succeeded' },
      options: NONE,
      action: 'evict',
      reason: /^finished \(Succeeded\)$/,
    },
    {
      name: 'a Failed pod is evicted',
      facts: { phase: 'Failed' },
      options: NONE,
      action: 'evict',
      reason: /^finished \(Failed\)$/,
    },
    {
      name: 'a Pending pod is not treated as finished',
      facts: { phase: 'Pending' },
      options: NONE,
      action: 'evict',
      reason: /^managed by ReplicaSet/,
    },
    {
      name: 'a pod of an existing DaemonSet is skipped',
      facts: { controller: daemonSet },
      options: NONE,
      action: 'skip',
      reason: /^managed by DaemonSet node-exporter$/,
    },
    {
      name: 'a pod of an existing DaemonSet is skipped even with force',
      facts: { controller: daemonSet },
      options: BOTH,
      action: 'skip',
      reason: /DaemonSet node-exporter/,
    },
    {
      name: 'an orphaned DaemonSet pod is refused without force',
      facts: { controller: daemonSet, controllerExists: false },
      options: EMPTYDIR,
      action: 'refuse',
      reason: /orphaned DaemonSet pod \(DaemonSet node-exporter is gone\); use force/,
    },
    {
      name: 'an orphaned DaemonSet pod is evicted with force',
      facts: { controller: daemonSet, controllerExists: false },
      options: FORCE,
      action: 'evict',
      reason: /orphaned DaemonSet pod .*forced$/,
    },
    {
      name: 'a forced orphaned DaemonSet pod with emptyDir still needs deleteEmptyDirData, as in kubectl',
      facts: { controller: daemonSet, controllerExists: false, usesEmptyDir: true },
      options: FORCE,
      action: 'refuse',
      reason: /emptyDir/,
    },
    {
      name: 'an unmanaged pod is refused without force',
      facts: { controller: undefined, controllerExists: false },
      options: EMPTYDIR,
      action: 'refuse',
      reason: /not managed by a controller.*use force/,
    },
    {
      name: 'an unmanaged pod is evicted with force',
      facts: { controller: undefined, controllerExists: false },
      options: FORCE,
      action: 'evict',
      reason: /^unmanaged, forced$/,
    },
    {
      name: 'an emptyDir pod is refused without deleteEmptyDirData',
      facts: { usesEmptyDir: true },
      options: FORCE,
      action: 'refuse',
      reason: /uses emptyDir.*use deleteEmptyDirData/,
    },
    {
      name: 'an emptyDir pod is evicted with deleteEmptyDirData',
      facts: { usesEmptyDir: true },
      options: EMPTYDIR,
      action: 'evict',
      reason: /^managed by ReplicaSet web-rs$/,
    },
    {
      name: 'unmanaged + emptyDir with neither option: refused as unmanaged first',
      facts: { controller: undefined, controllerExists: false, usesEmptyDir: true },
      options: NONE,
      action: 'refuse',
      reason: /not managed by a controller/,
    },
    {
      name: 'unmanaged + emptyDir with only force: refused for emptyDir',
      facts: { controller: undefined, controllerExists: false, usesEmptyDir: true },
      options: FORCE,
      action: 'refuse',
      reason: /uses emptyDir/,
    },
    {
      name: 'unmanaged + emptyDir with only deleteEmptyDirData: refused as unmanaged',
      facts: { controller: undefined, controllerExists: false, usesEmptyDir: true },
      options: EMPTYDIR,
      action: 'refuse',
      reason: /not managed by a controller/,
    },
    {
      name: 'unmanaged + emptyDir with both options: evicted',
      facts: { controller: undefined, controllerExists: false, usesEmptyDir: true },
      options: BOTH,
      action: 'evict',
      reason: /^unmanaged, forced$/,
    },
    // Order: each filter settles the verdict before the later ones see the pod.
    {
      name: 'mirror before terminating',
      facts: { mirror: true, terminating: true },
      options: NONE,
      action: 'skip',
      reason: /mirror pod/,
    },
    {
      name: 'terminating before finished',
      facts: { terminating: true, phase: 'Failed' },
      options: NONE,
      action: 'evict',
      reason: /already terminating/,
    },
    {
      name: 'terminating before unmanaged',
      facts: { terminating: true, controller: undefined, controllerExists: false },
      options: NONE,
      action: 'evict',
      reason: /already terminating/,
    },
    {
      name: 'finished before DaemonSet',
      facts: { phase: 'Succeeded', controller: daemonSet },
      options: NONE,
      action: 'evict',
      reason: /^finished \(Succeeded\)$/,
    },
    {
      name: 'finished before unmanaged and emptyDir',
      facts: {
        phase: 'Failed',
        controller: undefined,
        controllerExists: false,
        usesEmptyDir: true,
      },
      options: NONE,
      action: 'evict',
      reason: /^finished \(Failed\)$/,
    },
    {
      name: 'DaemonSet before emptyDir (existing DaemonSet with emptyDir is skipped)',
      facts: { controller: daemonSet, usesEmptyDir: true },
      options: NONE,
      action: 'skip',
      reason: /managed by DaemonSet/,
    },
  ];

  for (const { name, facts, options, action, reason } of cases) {
    it(name, () => {
      const input = pod('web-1', facts);
      const verdict = classifyPod(input, options);
      assert.equal(verdict.action, action);
      assert.match(verdict.reason, reason);
      assert.deepEqual(verdict.pod, input.pod);
    });
  }
});

describe('classifyPods', () => {
  it('groups verdicts by action, keeping input order within each group', () => {
    const pods = [
      pod('web-1'),
      pod('static', { mirror: true }),
      pod('bare', { controller: undefined, controllerExists: false }),
      pod('job-1', { phase: 'Succeeded' }),
      pod('agent', { controller: daemonSet }),
      pod('cache', { usesEmptyDir: true }),
    ];
    const result = classifyPods(pods, NONE);
    const names = (action: PodAction) => result[action].map((v) => v.pod.name);
    assert.deepEqual(names('evict'), ['web-1', 'job-1']);
    assert.deepEqual(names('skip'), ['static', 'agent']);
    assert.deepEqual(names('refuse'), ['bare', 'cache']);
    for (const action of ['evict', 'skip', 'refuse'] as const) {
      assert.ok(result[action].every((v) => v.action === action));
    }
  });

  it('applies the options to every pod', () => {
    const pods = [
      pod('bare', { controller: undefined, controllerExists: false }),
      pod('cache', { usesEmptyDir: true }),
    ];
    const result = classifyPods(pods, BOTH);
    assert.deepEqual(
      result.evict.map((v) => v.pod.name),
      ['bare', 'cache'],
    );
    assert.equal(result.refuse.length, 0);
  });

  it('returns three empty groups for no pods', () => {
    assert.deepEqual(classifyPods([], NONE), { evict: [], skip: [], refuse: [] });
  });
});
