// Rook's objects on a lab cluster as kubectl shows them, the lab Rook operator's restarts as its log
// records them, and Ceph as the ceph CLI sees it, for tests that check Steward against them.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
