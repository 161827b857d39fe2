// A Rook-managed Ceph cluster behind the activities a Rook/Ceph upgrade calls, for the workflow's
// decision tests: the operator rolls one daemon per read (of Rook or of Ceph: time passes) in
// Rook's order (mons, mgr, OSDs, then any MDS, RGW, ... given) while it runs, a restarted daemon
// is down until the next read, and Ceph is unhealthy while any daemon is down. It records every
// change in order. The real activities are tested on the lab.
import type { Activities } from '../../activities';
import { rookWaitActivities } from '../../activities/ceph/rook-waits';
import type { RookClusterFacts } from '../../activities/ceph/rook';
import type { RookDaemon } from '../../workflows/policy/rook-upgrade';
import type { CephHealthFacts } from '../../workflows/policy/ceph-health-gate';

type RookCephActivities = Pick<
  Activities,
  | 'readRookCluster'
  | 'cephHealthFacts'
  | 'upgradeRookOperator'
  | 'setCephImage'
  | 'scaleRookOperator'
  | 'awaitRookOperator'
  | 'awaitRookGroup'
  | 'awaitCephGate'
>;

const DAEMONS: [string, string][] = [
  ['mon', 'a'],
  ['mon', 'b'],
  ['mon', 'c'],
  ['mgr', 'a'],
  ['osd', '0'],
  ['osd', '1'],
  ['osd', '2'],
];

const versionLabel = (image: string) => `${/:v(\d+\.\d+\.\d+)/.exec(image)?.[1]}-0`;

export class FakeRookCeph {
  rook = 'v1.15.9';
  replicas = 1;
  image = 'quay.io/ceph/ceph:v18.2.4';
  /** Changes and restarts, in order: "helm v1.16.7", "restart osd.1 v1.16.7 …", "scale 0". */
  readonly log: string[] = [];
  /** Daemons (osd.1) that do not come back after their next restart, while listed. */
  readonly staysDown = new Set<string>();
  /** The new operator's rollout is not seen (its pod never Ready), yet it rolls daemons. */
  operatorStuck = false;
  private readonly down = new Set<string>();
  private readonly daemons: RookDaemon[];

  /** `more`: daemons besides mons, mgr and OSDs, in Rook's order ([['mds', 'a'], ...]). */
  constructor(more: [string, string][] = []) {
    this.daemons = [...DAEMONS, ...more].map(([type, id]) => this.newDaemon(type, id));
  }

  private newDaemon = (type: string, id: string): RookDaemon => ({
    deployment: `rook-ceph-${type}-${id}`,
    type,
    id,
    rookVersion: this.rook,
    image: this.image,
    cephVersion: versionLabel(this.image),
    rolledOut: true,
  });

  /** One step of the operator's roll: a restarted daemon comes back, or the next one restarts. */
  private tick(): void {
    for (const name of [...this.down]) if (!this.staysDown.has(name)) this.down.delete(name);
    if (this.replicas === 0 || this.down.size > 0) return;
    const next = this.daemons.find((d) => d.rookVersion !== this.rook || d.image !== this.image);
    if (!next) return;
    const name = `${next.type}.${next.id}`;
    Object.assign(next, {
      rookVersion: this.rook,
      image: this.image,
      cephVersion: versionLabel(this.image),
    });
    this.down.add(name);
    this.log.push(`restart ${name} ${this.rook} ${this.image}`);
  }

  private facts(): RookClusterFacts {
    return {
      cephCluster: {
        image: this.image,
        phase: 'Ready',
        message: this.down.size > 0 ? `waiting for ${[...this.down]} to come back` : undefined,
        healthDetails: {},
        versions: {},
      },
      operator: {
        image: `docker.io/rook/ceph:${this.rook}`,
        version: this.rook,
        replicas: this.replicas,
        rolledOut: this.replicas > 0 && !this.operatorStuck,
      },
      daemons: this.daemons.map((d) => ({ ...d })),
    };
  }

  private health(): CephHealthFacts {
    const osdsDown = [...this.down].filter((n) => n.startsWith('osd.'));
    const monsDown = [...this.down].filter((n) => n.startsWith('mon.')).map((n) => n.slice(4));
    // An MDS, RGW, ... restarting leaves Ceph healthy (a standby takes over): only the gate's own
    // daemons make it unhealthy.
    const unhealthy = [...this.down].some((n) => /^(mon|mgr|osd)\./.test(n));
    return {
      health: {
        status: unhealthy ? 'HEALTH_WARN' : 'HEALTH_OK',
        checks: osdsDown.map((n) => ({
          code: 'OSD_DOWN',
          severity: 'HEALTH_WARN',
          summary: `${osdsDown.length} osds down`,
          details: [`${n} (root=default,host=vm) is down`],
          muted: false,
        })),
      },
      pgs: {
        total: 8,
        byState: [
          { state: osdsDown.length > 0 ? 'active+undersized+degraded' : 'active+clean', count: 8 },
        ],
        notClean:
          osdsDown.length > 0
            ? [{ pgid: '2.0', state: 'active+undersized+degraded', acting: [0, 2] }]
            : [],
      },
      quorum: {
        mons: ['a', 'b', 'c'],
        quorum: ['a', 'b', 'c'].filter((m) => !monsDown.includes(m)),
        leader: 'a',
      },
      osds: ['0', '1', '2'].map((id) => ({
        id: Number(id),
        up: !this.down.has(`osd.${id}`),
        in: true,
      })),
    };
  }

  activities(): RookCephActivities {
    const reads = {
      readRookCluster: async () => {
        this.tick();
        return this.facts();
      },
      cephHealthFacts: async () => {
        this.tick();
        return this.health();
      },
    };
    const waits = rookWaitActivities(reads);
    return {
      ...reads,
      ...waits,
      // Gate reads a few milliseconds apart: the test needs no real seconds of health.
      awaitCephGate: (a) => waits.awaitCephGate({ ...a, intervalMs: 10 }),
      upgradeRookOperator: async ({ version }) => {
        const from = `rook-ceph-${this.rook}`;
        if (this.rook === version) return { changed: false, from, to: from };
        this.rook = version;
        this.log.push(`helm ${version}`);
        return { changed: true, from, to: `rook-ceph-${version}` };
      },
      setCephImage: async ({ image }) => {
        const from = this.image;
        if (from === image) return { changed: false, from };
        this.image = image;
        this.log.push(`image ${image}`);
        return { changed: true, from };
      },
      scaleRookOperator: async ({ replicas }) => {
        const from = this.replicas;
        if (from === replicas) return { changed: false, from };
        this.replicas = replicas;
        this.log.push(`scale ${replicas}`);
        return { changed: true, from };
      },
    };
  }

  /** The restarts in the log, as "osd.1 v1.16.7 quay.io/…". */
  restarts(): string[] {
    return this.log.filter((l) => l.startsWith('restart ')).map((l) => l.slice(8));
  }

  daemon(name: string): RookDaemon {
    return this.daemons.find((d) => `${d.type}.${d.id}` === name)!;
  }
}
