// Add-on steps against the lab's real apiserver, from the upstream manifests the set-up fetched;
// the lab seeded snapshot-controller v8.1.0 (and an old one in kube-system) and
// kube-prometheus-stack 60.0.0 with kubectl.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { monitoringCrdSteps, type ManifestAddonStep } from '../../workflows/policy/addon-steps';
import { useLabActivities } from '../support/lab';

const ctx = useLabActivities('addons-lab.yaml');

const apply = (step: ManifestAddonStep) => ctx.act.applyAddonStep({ cluster: 'lab', step });
const snapshotV820 = (removeKubeSystemDeployment: boolean): ManifestAddonStep => ({
  kind: 'snapshot-controller',
  version: 'v8.2.0',
  removeKubeSystemDeployment,
});

interface Listed {
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  generation: string;
  /** Of a prometheus-operator CRD. */
  operatorVersion: string;
  /** Of a CRD. */
  versions: string[];
  storedVersions: string[];
}

// Some CRDs are near a megabyte each: read only the fields the tests compare.
const FIELDS = [
  '.kind',
  '.metadata.namespace',
  '.metadata.name',
  '.metadata.resourceVersion',
  '.metadata.generation',
  '.metadata.annotations.operator\\.prometheus\\.io/version',
  '.spec.versions[*].name',
  '.status.storedVersions[*]',
];

async function list(...args: string[]): Promise<Listed[]> {
  const template = `{range .items[*]}${FIELDS.map((f) => `{${f}}`).join('{"|"}')}{"\\n"}{end}`;
  const out = await ctx.lab.kubectl('get', ...args, '-o', `jsonpath=${template}`);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [
        kind,
        namespace,
        name,
        resourceVersion,
        generation,
        operatorVersion,
        versions,
        stored,
      ] = line.split('|');
      const words = (text: string) => text.split(' ').filter(Boolean);
      return {
        kind,
        namespace,
        name,
        resourceVersion,
        generation,
        operatorVersion,
        versions: words(versions),
        storedVersions: words(stored),
      };
    });
}

const crds = async (group: string) =>
  (await list('crd')).filter((c) => c.name.endsWith(`.${group}`));

/** What changes when Steward changes an object the snapshot-controller bundle applies. */
async function snapshotObjects(): Promise<Record<string, string>> {
  const objects = [
    ...(await crds('snapshot.storage.k8s.io')),
    ...(await list('deployment,serviceaccount,role,rolebinding', '-n', 'snapshot-controller')),
    ...(await list(
      'clusterrole/snapshot-controller-runner',
      'clusterrolebinding/snapshot-controller-role',
    )),
  ];
  // The deployment controller writes a Deployment's status, so its resourceVersion moves on its
  // own; its generation moves only when its spec does.
  return Object.fromEntries(
    objects.map((o) => [
      `${o.kind}/${o.namespace}/${o.name}`,
      o.kind === 'Deployment' ? `generation ${o.generation}` : o.resourceVersion,
    ]),
  );
}

/** The snapshot-controller Deployment's image in `namespace`, '' when there is none. */
const image = (namespace: string) =>
  ctx.lab.kubectl(
    'get',
    'deployment',
    '-n',
    namespace,
    'snapshot-controller',
    '--ignore-not-found',
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  );

describe('add-on steps', () => {
  it('cluster facts report the add-ons as seeded', async () => {
    const { addons } = await ctx.act.readUpgradeFacts({ cluster: 'lab' });
    assert.deepEqual(addons, {
      manifestCalicoInKubeSystem: false,
      snapshotController: 'v8.1.0',
      kubeSystemSnapshotController: true,
      monitoringChart: '60.0.0',
    });
  });

  it('snapshot-controller v8.2.0 refuses, changing nothing, while objects are stored at the group-snapshot v1alpha1 it drops', async () => {
    const file = join(ctx.lab.stateDir, 'group-snapshot-class.json');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'groupsnapshot.storage.k8s.io/v1alpha1',
        kind: 'VolumeGroupSnapshotClass',
        metadata: { name: 'csi-hostpath-groupsnapclass' },
        driver: 'hostpath.csi.k8s.io',
        deletionPolicy: 'Delete',
      }),
    );
    await ctx.lab.kubectl('create', '-f', file);
    const before = await snapshotObjects();
    await assert.rejects(apply(snapshotV820(true)), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
      assert.equal(err.type, 'CrdVersionInUse');
      assert.match(
        err.message,
        /volumegroupsnapshotclasses\.groupsnapshot\.storage\.k8s\.io: .*v1alpha1.*objects of it exist/,
      );
      return true;
    });
    assert.equal(
      await image('snapshot-controller'),
      'registry.k8s.io/sig-storage/snapshot-controller:v8.1.0',
    );
    assert.deepEqual(await snapshotObjects(), before, 'nothing changed');
    assert.equal(
      await image('kube-system'),
      'registry.k8s.io/sig-storage/snapshot-controller:v6.3.3',
      'the old controller still runs',
    );
    await ctx.lab.kubectl('delete', '-f', file);
  });

  it('snapshot-controller v8.2.0 over v8.1.0 moves the image, the CRDs and the RBAC, and removes the kube-system Deployment', async () => {
    const { summary } = await apply(snapshotV820(true));
    assert.match(
      summary,
      /^snapshot-controller v8\.2\.0: \d+ of 13 objects changed; removed kube-system\/snapshot-controller$/,
    );
    assert.equal(
      await image('snapshot-controller'),
      'registry.k8s.io/sig-storage/snapshot-controller:v8.2.0',
    );
    assert.equal(await image('kube-system'), '');
    for (const crd of await crds('groupsnapshot.storage.k8s.io')) {
      assert.deepEqual(crd.versions, ['v1beta1'], crd.name);
      assert.deepEqual(crd.storedVersions, ['v1beta1'], crd.name);
    }
    const runner = JSON.parse(
      await ctx.lab.kubectl('get', 'clusterrole', 'snapshot-controller-runner', '-o', 'json'),
    ) as { rules: { resources: string[]; verbs: string[] }[] };
    const contents = runner.rules.find((r) => r.resources.includes('volumesnapshots'));
    assert.ok(
      contents?.verbs.includes('create'),
      'v8.2.0 lets the controller create VolumeSnapshots',
    );
    const binding = JSON.parse(
      await ctx.lab.kubectl('get', 'clusterrolebinding', 'snapshot-controller-role', '-o', 'json'),
    ) as { subjects: { namespace: string }[] };
    assert.deepEqual(
      binding.subjects.map((s) => s.namespace),
      ['snapshot-controller'],
    );
    assert.match(
      await ctx.lab.kubectl('get', 'crd', 'volumesnapshots.snapshot.storage.k8s.io', '-o', 'json'),
      /"message": "persistentVolumeClaimName is required once set"/,
      'schema extensions (x-kubernetes-validations) survive the apply',
    );
    // A real client uses the new API.
    assert.match(
      await ctx.lab.kubectl(
        'get',
        'volumegroupsnapshotclasses.v1beta1.groupsnapshot.storage.k8s.io',
      ),
      /No resources found|^$/,
    );

    const { addons } = await ctx.act.readUpgradeFacts({ cluster: 'lab' });
    assert.equal(addons.snapshotController, 'v8.2.0');
    assert.equal(addons.kubeSystemSnapshotController, false);
  });

  it('applying the same step again changes nothing', async () => {
    const before = await snapshotObjects();
    const { summary } = await apply(snapshotV820(true));
    assert.equal(summary, 'snapshot-controller v8.2.0: 0 of 13 objects changed');
    assert.deepEqual(await snapshotObjects(), before);
  });

  it('monitoring CRDs of two chart majors, in order, leave the newer operator CRDs', async () => {
    const seeded = await crds('monitoring.coreos.com');
    assert.deepEqual([...new Set(seeded.map((c) => c.operatorVersion))], ['0.74.0']);
    const summaries: string[] = [];
    for (const step of monitoringCrdSteps(60, 62)) summaries.push((await apply(step)).summary);
    assert.deepEqual(summaries, [
      'monitoring CRDs of chart major 61 (prometheus-operator v0.75.0): 10 of 10 changed',
      'monitoring CRDs of chart major 62 (prometheus-operator v0.76.0): 10 of 10 changed',
    ]);
    assert.equal(
      (await apply(monitoringCrdSteps(61, 62)[0])).summary,
      'monitoring CRDs of chart major 62 (prometheus-operator v0.76.0): 0 of 10 changed',
      'a second run changes nothing',
    );
    const now = await crds('monitoring.coreos.com');
    assert.equal(now.length, 10);
    assert.deepEqual([...new Set(now.map((c) => c.operatorVersion))], ['0.76.0']);
    const sizeLimit =
      '{.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.storage.properties.emptyDir.properties.sizeLimit.x-kubernetes-int-or-string}';
    assert.equal(
      await ctx.lab.kubectl(
        'get',
        'crd',
        'alertmanagers.monitoring.coreos.com',
        '-o',
        `jsonpath=${sizeLimit}`,
      ),
      'true',
      'schema extensions survive the apply',
    );
    assert.match(
      await ctx.lab.kubectl('get', 'crd', 'prometheuses.monitoring.coreos.com'),
      /prometheuses\.monitoring\.coreos\.com/,
    );
  });

  it('a bundle that was never fetched fails for good, saying where it looked and how to fetch it', async () => {
    await assert.rejects(
      apply({ kind: 'monitoring-crds', major: 58, operatorVersion: 'v0.73.0' }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
        assert.equal(err.type, 'AddonManifestsMissing');
        assert.match(
          err.message,
          /^no monitoring-crds v0\.73\.0 manifests in \/.*\/monitoring-crds\/v0\.73\.0: .*scripts\/setup\/addon-manifests\.sh/,
        );
        return true;
      },
    );
  });
});
