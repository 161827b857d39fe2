// The lab's Rook operator: a lab daemon (`lab-rook-operator`, see lab/ceph/README.md) that does
// to the real Ceph daemons what Rook's operator does in an upgrade. When the running operator's
// version or the CephCluster's spec.cephVersion.image differs from what a daemon's Deployment
// was rolled to, it restarts the daemons one at a time (mons, the mgr, then OSDs), each only once
// Ceph says it is ok to stop, and the next only once the last is back; it keeps the daemon
// Deployments' rook-version / ceph-version labels and the CephCluster status as Rook does. It
// also plays the faults a test sets on a daemon's Deployment (lab/ceph/faults.ts).
import {
  AppsV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1Deployment,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { cephJson, run } from './cli';
import { cephDaemonRunning, startCephDaemon, stopCephDaemon } from './cluster';
import { DAEMON_FAULT_ANNOTATION, DaemonFault } from './faults';
import {
  CEPH_DAEMONS,
  CephDaemon,
  cephLayout,
  CephLayout,
  cephName,
  deploymentName,
} from './layout';
import {
  CEPH_CLUSTER_REF,
  CephClusterResource,
  CephClusterStatus,
  readCephCluster,
} from './operator-state';
import { cephVersionLabel, OPERATOR_DEPLOYMENT, ROOK_LABELS, ROOK_NAMESPACE } from './rook-objects';

/** `ceph pg dump pgs_brief --format json`: a list, or (newer releases) under pg_stats. */
type PgBrief = { pgid: string; state: string }[] | { pg_stats?: { pgid: string; state: string }[] };

/** Longer than the mgr's PG stats period (5 s by default). */
const PG_STATS_SETTLE_MS = 7_000;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

/** Where a roll stands, as Rook says it in status.message. */
const CONFIGURING: Record<CephDaemon['type'], string> = {
  mon: 'Configuring Ceph Mons',
  mgr: 'Configuring Ceph Mgr(s)',
  osd: 'Configuring Ceph OSDs',
};

const RELEASES: Record<string, string> = {
  '15': 'octopus',
  '16': 'pacific',
  '17': 'quincy',
  '18': 'reef',
  '19': 'squid',
  '20': 'tentacle',
};

/** How `ceph versions` would name a daemon rolled to `label` (18.2.4-0): the lab's stand-in. */
function versionString(label: string, image: string): string {
  const version = label.replace(/-0$/, '');
  return `ceph version ${version} (lab ${image}) ${RELEASES[version.split('.')[0]] ?? 'unknown'} (stable)`;
}

interface Desired {
  rook: string;
  image: string;
  cephVersion: string;
}

interface CephStatusJson {
  fsid: string;
  health: {
    status: string;
    checks: Record<string, { severity: string; summary: { message: string } }>;
  };
  pgmap: { bytes_used: number; bytes_avail: number; bytes_total: number };
}

export class LabRookOperator {
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly layout: CephLayout;
  /** The daemon last restarted, until it is back (in quorum, active, up). */
  private awaiting: CephDaemon | undefined;
  /** When the last restarted daemon was seen back: the mgr's PG stats lag it by a report. */
  private backAt = 0;
  private lastStatus = '';
  private lastStatusAt = 0;
  private health: NonNullable<CephClusterStatus['ceph']> | undefined;
  private healthAt = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly stateDir: string,
  ) {
    this.apps = kc.makeApiClient(AppsV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.layout = cephLayout(stateDir);
  }

  async run(signal: AbortSignal): Promise<void> {
    log('lab Rook operator running');
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (err) {
        log(`tick failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(1_000).catch(() => undefined);
    }
  }

  async tick(): Promise<void> {
    const deployments = await this.daemonDeployments();
    await this.playFaults(deployments);
    const rook = await this.runningVersion();
    // No operator pod available (its own rollout): nothing orchestrates, as with Rook.
    if (!rook) return;
    const cluster = await readCephCluster(this.kc);
    const image = cluster.spec.cephVersion?.image ?? '';
    const cephVersion = cephVersionLabel(image);
    const progress = cephVersion
      ? await this.roll(deployments, { rook, image, cephVersion })
      : `failed to detect the Ceph version of image "${image}": its tag names no version`;
    if (progress === null) return;
    const ceph = {
      ...(await this.cephHealth()),
      versions: reportedVersions(await this.daemonDeployments()),
    };
    // status.version stays at what the last finished roll reached until the next one finishes.
    const base = {
      observedGeneration: cluster.metadata.generation,
      ceph,
      version: cluster.status?.version,
    };
    if (!cephVersion) {
      await this.writeStatus(cluster, {
        ...base,
        phase: 'Failure',
        state: 'Error',
        message: progress,
      });
    } else if (progress) {
      await this.writeStatus(cluster, {
        ...base,
        phase: 'Progressing',
        state: 'Updating',
        message: progress,
      });
    } else {
      await this.writeStatus(cluster, {
        ...base,
        phase: 'Ready',
        state: 'Created',
        message: 'Cluster created successfully',
        version: { image, version: cephVersion },
      });
    }
  }

  /**
   * One step of the roll; returns what it is doing or waiting for, undefined when done, or null
   * when the operator was stopped meanwhile (it then writes nothing more).
   */
  private async roll(
    deployments: Map<string, V1Deployment>,
    desired: Desired,
  ): Promise<string | undefined | null> {
    if (this.awaiting) {
      const d = this.awaiting;
      if (!(await this.isBack(d))) {
        return `${CONFIGURING[d.type]}: waiting for ${cephName(d)} to come back after its restart`;
      }
      log(`${cephName(d)} is back`);
      this.awaiting = undefined;
      this.backAt = Date.now();
    }
    for (const d of CEPH_DAEMONS) {
      const deployment = deployments.get(deploymentName(d));
      if (!deployment || upToDate(deployment, desired)) continue;
      const refusal = (d.type === 'osd' && (await this.pgsNotClean())) || (await this.okToStop(d));
      if (refusal) return `${CONFIGURING[d.type]}: ${cephName(d)} is not ok to stop: ${refusal}`;
      // A scale to 0 during this tick stops the operator's pod before its next action, as with Rook.
      if ((await this.runningVersion()) !== desired.rook) return null;
      await this.restart(d, deployment, desired);
      return `${CONFIGURING[d.type]}: restarted ${cephName(d)}`;
    }
    return undefined;
  }

  /** The Rook version of the operator pod now running, or undefined when none runs. */
  private async runningVersion(): Promise<string | undefined> {
    const operator = await this.apps.readNamespacedDeployment({
      name: OPERATOR_DEPLOYMENT,
      namespace: ROOK_NAMESPACE,
    });
    return runningOperatorVersion(operator);
  }

  /**
   * Rook updates an OSD only while every PG is active+clean (scrubbing counts as clean), saying
   * "PGs are not healthy to update OSDs" otherwise; ok-to-stop alone passes while PGs peer. Read
   * from the mgr's own PG table: `ceph status` carries its summary a report period later.
   */
  private async pgsNotClean(): Promise<string | undefined> {
    // The mgr reports PG stats every few seconds: a read right after a restart can predate it.
    if (Date.now() - this.backAt < PG_STATS_SETTLE_MS) return 'waiting for fresh PG stats';
    const dump = await cephJson<PgBrief>(this.layout, ['pg', 'dump', 'pgs_brief']);
    const pgs = Array.isArray(dump) ? dump : (dump.pg_stats ?? []);
    const clean = /^active\+clean(\+(scrubbing|deep|snaptrim|snaptrim_wait))*$/;
    const unclean = new Map<string, number>();
    for (const { state } of pgs)
      if (!clean.test(state)) unclean.set(state, (unclean.get(state) ?? 0) + 1);
    if (pgs.length > 0 && unclean.size === 0) return undefined;
    const listed =
      [...unclean].map(([state, n]) => `${n} ${state}`).join(', ') || 'no PG stats yet';
    return `PGs are not healthy to update OSDs (${listed})`;
  }

  /** Ceph's own refusal to let `d` stop now, or undefined when it may. */
  private async okToStop(d: CephDaemon): Promise<string | undefined> {
    if (d.type === 'mgr') return undefined;
    const r = await run('ceph', ['--conf', this.layout.conf, d.type, 'ok-to-stop', d.id]);
    return r.code === 0 ? undefined : r.stderr.trim() || `exit code ${r.code}`;
  }

  /** What a pod restart with the new versions does: the daemon stops, and starts again. */
  private async restart(d: CephDaemon, deployment: V1Deployment, desired: Desired): Promise<void> {
    log(`restarting ${cephName(d)} at rook ${desired.rook}, image ${desired.image}`);
    await stopCephDaemon(this.stateDir, d);
    await this.apps.patchNamespacedDeployment(
      {
        name: deploymentName(d),
        namespace: ROOK_NAMESPACE,
        body: {
          metadata: {
            labels: {
              [ROOK_LABELS.rookVersion]: desired.rook,
              [ROOK_LABELS.cephVersion]: desired.cephVersion,
            },
          },
          spec: {
            template: {
              metadata: { labels: { [ROOK_LABELS.rookVersion]: desired.rook } },
              spec: {
                containers: [
                  { ...deployment.spec!.template.spec!.containers[0], image: desired.image },
                ],
              },
            },
          },
        },
      },
      mergePatch,
    );
    if (fault(deployment) === 'stays-down') log(`${cephName(d)} stays down (lab fault)`);
    else startCephDaemon(this.stateDir, this.layout, d);
    this.awaiting = d;
  }

  private async isBack(d: CephDaemon): Promise<boolean> {
    switch (d.type) {
      case 'mon':
        return (
          await cephJson<{ quorum_names: string[] }>(this.layout, ['quorum_status'])
        ).quorum_names.includes(d.id);
      case 'mgr': {
        const s = await cephJson<{ available: boolean; active_name: string }>(this.layout, [
          'mgr',
          'stat',
        ]);
        return s.available && s.active_name === d.id;
      }
      case 'osd': {
        const dump = await cephJson<{ osds: { osd: number; up: number }[] }>(this.layout, [
          'osd',
          'dump',
        ]);
        return dump.osds.some((o) => String(o.osd) === d.id && o.up === 1);
      }
    }
  }

  /**
   * A daemon whose Deployment carries the fault `down` is stopped and held; one without a fault
   * that is not running is started (a kubelet restarting a container), which also releases a
   * daemon once its fault is cleared.
   */
  private async playFaults(deployments: Map<string, V1Deployment>): Promise<void> {
    for (const d of CEPH_DAEMONS) {
      const deployment = deployments.get(deploymentName(d));
      if (!deployment) continue;
      const f = fault(deployment);
      const running = cephDaemonRunning(this.stateDir, d);
      if (running && f === 'down') {
        log(`stopping ${cephName(d)} (lab fault down)`);
        await stopCephDaemon(this.stateDir, d);
      } else if (!running && f === undefined) {
        log(`starting ${cephName(d)}`);
        startCephDaemon(this.stateDir, this.layout, d);
      }
    }
  }

  private async daemonDeployments(): Promise<Map<string, V1Deployment>> {
    const list = await this.apps.listNamespacedDeployment({
      namespace: ROOK_NAMESPACE,
      labelSelector: ROOK_LABELS.cluster,
    });
    return new Map(list.items.map((d) => [d.metadata?.name ?? '', d]));
  }

  /** status.ceph as Rook's health checker fills it, from `ceph status` (every 5 s at most). */
  private async cephHealth(): Promise<NonNullable<CephClusterStatus['ceph']>> {
    if (this.health && Date.now() - this.healthAt < 5_000) return this.health;
    const s = await cephJson<CephStatusJson>(this.layout, ['status']);
    const previous = this.health;
    const now = new Date().toISOString();
    const changed = previous?.health !== s.health.status;
    this.health = {
      health: s.health.status,
      details: Object.fromEntries(
        Object.entries(s.health.checks).map(([code, c]) => [
          code,
          { severity: c.severity, message: c.summary.message },
        ]),
      ),
      lastChecked: now,
      lastChanged: changed ? now : previous?.lastChanged,
      previousHealth: changed ? previous?.health : previous?.previousHealth,
      capacity: {
        bytesTotal: s.pgmap.bytes_total,
        bytesUsed: s.pgmap.bytes_used,
        bytesAvailable: s.pgmap.bytes_avail,
      },
      fsid: s.fsid,
    };
    this.healthAt = Date.now();
    return this.health;
  }

  /**
   * Replaces status (a merge patch would keep check codes and versions that are gone) when it
   * changed, timestamps aside, and at least every 30 s.
   */
  private async writeStatus(
    cluster: CephClusterResource,
    status: CephClusterStatus,
  ): Promise<void> {
    const key = JSON.stringify({ ...status, ceph: { ...status.ceph, lastChecked: undefined } });
    if (key === this.lastStatus && Date.now() - this.lastStatusAt < 30_000) return;
    if (key !== this.lastStatus) log(`status: ${status.phase}: ${status.message}`);
    await this.custom.replaceNamespacedCustomObjectStatus({
      ...CEPH_CLUSTER_REF,
      body: { ...cluster, status },
    });
    this.lastStatus = key;
    this.lastStatusAt = Date.now();
  }
}

function fault(deployment: V1Deployment): DaemonFault | undefined {
  return deployment.metadata?.annotations?.[DAEMON_FAULT_ANNOTATION] as DaemonFault | undefined;
}

function upToDate(deployment: V1Deployment, desired: Desired): boolean {
  return (
    deployment.metadata?.labels?.[ROOK_LABELS.rookVersion] === desired.rook &&
    deployment.spec?.template.spec?.containers[0]?.image === desired.image
  );
}

/** The version of the operator pod now running: its image tag once its rollout is complete. */
function runningOperatorVersion(d: V1Deployment): string | undefined {
  const want = d.spec?.replicas ?? 1;
  const s = d.status;
  const rolledOut =
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    s?.updatedReplicas === want &&
    s?.availableReplicas === want &&
    s?.replicas === want;
  const image = d.spec?.template.spec?.containers[0]?.image ?? '';
  return rolledOut ? /:([^:/]+)$/.exec(image)?.[1] : undefined;
}

/** status.ceph.versions: per daemon type, how many daemons run which version. */
function reportedVersions(deployments: Map<string, V1Deployment>) {
  const versions: Record<string, Record<string, number>> = { overall: {} };
  for (const d of CEPH_DAEMONS) {
    const deployment = deployments.get(deploymentName(d));
    const label = deployment?.metadata?.labels?.[ROOK_LABELS.cephVersion];
    if (!deployment || !label) continue;
    const version = versionString(
      label,
      deployment.spec?.template.spec?.containers[0]?.image ?? '',
    );
    for (const group of [d.type, 'overall']) {
      versions[group] ??= {};
      versions[group][version] = (versions[group][version] ?? 0) + 1;
    }
  }
  return versions;
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { kubeconfig: { type: 'string' }, 'state-dir': { type: 'string' } },
  });
  if (!values.kubeconfig || !values['state-dir']) {
    console.error('usage: tsx lab/ceph/operator.ts --kubeconfig F --state-dir D');
    process.exit(2);
  }
  const kc = new KubeConfig();
  kc.loadFromFile(values.kubeconfig);
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => controller.abort());
  }
  new LabRookOperator(kc, values['state-dir']).run(controller.signal).then(() => process.exit(0));
}
