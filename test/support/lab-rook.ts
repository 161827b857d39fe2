// Rook's objects on a lab cluster as kubectl shows them, the lab Rook operator's restarts as its log
// records them, and Ceph as the ceph CLI sees it, for tests that check Steward against them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { OPERATOR_DAEMON } from '../../lab/ceph';
import { helmBinary } from '../../lab/ceph/helm';
import { logFile } from '../../lab/daemon';
import type { TestLab } from './lab';

/** What the real `ceph` CLI says, as JSON: `cephJson(lab, 'health', 'detail')`. */
export const cephJson = async (lab: TestLab, ...args: string[]) =>
  JSON.parse(
    (await promisify(execFile)('ceph', ['--conf', lab.ceph!.conf, ...args, '--format', 'json']))
      .stdout,
  );

export const cephClusterJson = async (lab: TestLab) =>
  JSON.parse(await lab.kubectl('get', 'cephcluster', '-n', 'rook-ceph', 'rook-ceph', '-o', 'json'));

/** The lab's Rook Helm release as `helm list` shows it. */
export const rookHelmRelease = async (lab: TestLab) =>
  JSON.parse(
    (
      await promisify(execFile)(helmBinary(), [
        'list',
        '--namespace',
        'rook-ceph',
        '--kubeconfig',
        lab.kubeconfigPath,
        '--output',
        'json',
      ])
    ).stdout,
  )[0] as { chart: string; revision: string; status: string };

/** `kubectl apply` of `objects` (JSON manifests). */
export async function kubectlApply(lab: TestLab, objects: object[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-apply-'));
  try {
    const file = join(dir, 'objects.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    await lab.kubectl('apply', '-f', file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a helm killed mid-upgrade leaves behind: the release's next revision stored (as helm
 * stores it, a Secret holding the gzipped release) with status pending-upgrade. Its revision.
 */
export async function leaveRookReleasePending(lab: TestLab): Promise<number> {
  type Stored = { metadata: { labels: Record<string, string> }; data: { release: string } };
  const stored = JSON.parse(
    await lab.kubectl(
      'get',
      'secret',
      '-n',
      'rook-ceph',
      '-l',
      'owner=helm,name=rook-ceph',
      '-o',
      'json',
    ),
  ).items as Stored[];
  const last = stored.sort(
    (a, b) => Number(b.metadata.labels.version) - Number(a.metadata.labels.version),
  )[0];
  const decode = (data: string) =>
    JSON.parse(
      gunzipSync(Buffer.from(Buffer.from(data, 'base64').toString(), 'base64')).toString(),
    );
  const release = decode(last.data.release);
  const revision = Number(release.version) + 1;
  release.version = revision;
  release.info = { ...release.info, status: 'pending-upgrade', description: 'Preparing upgrade' };
  await kubectlApply(lab, [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'helm.sh/release.v1',
      metadata: {
        name: `sh.helm.release.v1.rook-ceph.v${revision}`,
        namespace: 'rook-ceph',
        labels: { ...last.metadata.labels, status: 'pending-upgrade', version: String(revision) },
      },
      data: {
        release: Buffer.from(gzipSync(JSON.stringify(release)).toString('base64')).toString(
          'base64',
        ),
      },
    },
  ]);
  return revision;
}

/** What an upgrade may change: the release, the operator's image, the CephCluster's image, restarts. */
export async function rookChangeables(lab: TestLab) {
  const operator = JSON.parse(
    await lab.kubectl('get', 'deploy', '-n', 'rook-ceph', 'rook-ceph-operator', '-o', 'json'),
  );
  return {
    release: await rookHelmRelease(lab),
    operator: operator.spec.template.spec.containers[0].image as string,
    replicas: operator.spec.replicas as number,
    image: (await cephClusterJson(lab)).spec.cephVersion.image as string,
    restarts: rookRestarts(lab).length,
  };
}

/** Each Rook daemon Deployment's name → its label `key` (rook-version, ceph-version). */
export async function daemonLabels(lab: TestLab, key: string): Promise<Record<string, string>> {
  const list = JSON.parse(
    await lab.kubectl(
      'get',
      'deployment',
      '-n',
      'rook-ceph',
      '-l',
      'rook_cluster=rook-ceph',
      '-o',
      'json',
    ),
  );
  return Object.fromEntries(
    list.items.map((d: { metadata: { name: string; labels: Record<string, string> } }) => [
      d.metadata.name,
      d.metadata.labels[key],
    ]),
  );
}

/** `kubectl patch` of the CephCluster's image, as an operator would upgrade Ceph by hand. */
export const patchCephImage = (lab: TestLab, image: string) =>
  lab.kubectl(
    'patch',
    'cephcluster',
    '-n',
    'rook-ceph',
    'rook-ceph',
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { cephVersion: { image } } }),
  );

/** A restart of a Ceph daemon by the lab Rook operator, as its log records it. */
export interface RookRestart {
  at: number;
  /** As Ceph names it: mon.a, osd.1. */
  daemon: string;
  rook: string;
  image: string;
}

/** Every restart the lab Rook operator made (each roll of each daemon), in order. */
export function rookRestarts(lab: TestLab): RookRestart[] {
  const log = readFileSync(logFile(lab.stateDir, OPERATOR_DAEMON), 'utf8');
  return [...log.matchAll(/^(\S+) restarting (\S+) at rook (\S+), image (\S+)$/gm)].map((m) => ({
    at: Date.parse(m[1]),
    daemon: m[2],
    rook: m[3],
    image: m[4],
  }));
}

export interface CephSample {
  at: number;
  /** HEALTH_OK and every PG active+clean, as `ceph status` says. */
  ok: boolean;
  text: string;
}

/** `ceph status` read over and over (one read at a time) until stopped: the ceph CLI's own view. */
export function sampleCeph(lab: TestLab): { samples: CephSample[]; stop(): Promise<void> } {
  const samples: CephSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      try {
        const s = await cephJson(lab, 'status');
        const states: { state_name: string; count: number }[] = s.pgmap.pgs_by_state ?? [];
        const text = `${s.health.status}; ${states.map((p) => `${p.count} ${p.state_name}`).join(', ')}`;
        const clean = states.length === 1 && states[0].state_name === 'active+clean';
        samples.push({ at, ok: s.health.status === 'HEALTH_OK' && clean, text });
      } catch (err) {
        samples.push({ at, ok: false, text: (err as Error).message });
      }
      await sleep(300);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
