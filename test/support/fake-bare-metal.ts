// One bare-metal host behind the activities a reinstall calls: its NetBox device, its BMC, the
// provisioning endpoint, its Kubernetes node (a FakeCluster) with the PodDisruptionBudgets that
// select its pods, and Ceph's ok-to-stop for its OSDs, for the workflow's decision tests. It
// records every write and command in order. The real activities are tested on the lab.
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import { stepWaitActivities } from '../../activities/kubernetes/step-waits';
import { BMC_FAILURES, invalidInput, NETBOX_FAILURES, VAULT_FAILURES } from '../../workflows/api';
import { FakeCluster, pod } from './fake-cluster';

type ReinstallActivities = Pick<
  Activities,
  | 'describeDevice'
  | 'updateDevice'
  | 'addJournalEntry'
  | 'checkSecret'
  | 'checkBaseScript'
  | 'publishBaseScript'
  | 'resolveBmcName'
  | 'bmcVerifyIdentity'
  | 'bmcPowerOff'
  | 'bmcPxeBoot'
  | 'podBudgetsOnNode'
  | 'cephOsdOkToStop'
  | 'awaitNodeRejoined'
  | 'describeNode'
  | 'listNodePods'
  | 'cordonNode'
  | 'uncordonNode'
  | 'evictRound'
>;

export class FakeBareMetal {
  readonly node: FakeCluster;
  status = 'active';
  /** NetBox writes, journal entries and BMC commands, in order. */
  readonly log: string[] = [];
  /** The BMC reports this serial (the device's own unless set). */
  bmcSerial = 'SRV-1';
  power: 'on' | 'off' = 'on';
  /** Vault refuses the worker's AppRole login while this is set. */
  vaultLoginRefused = false;
  /** A power-on boots the host, and its node comes back, unless this is set. */
  neverRejoins = false;
  /** PodDisruptionBudgets (`ns/name`) by the name of the pods they select. */
  readonly budgets = new Map<string, string[]>();
  /** Ceph's answer to ok-to-stop: its reason when not ok, undefined when ok. */
  osdsMayNotStop: string | undefined;
  /** NetBox answering HTTP 500 to every call while set (its database down). */
  netboxDown = false;
  /** NetBox calls answered, or refused while down. */
  netboxCalls = 0;
  /** Every `ceph osd ok-to-stop` asked, by OSD IDs. */
  readonly okToStopAsked: number[][] = [];

  constructor(
    readonly name: string,
    readonly inKubernetes = true,
  ) {
    this.node = new FakeCluster(name, [pod(`web-${name}`)]);
  }

  /** Someone powers the host on from its disk, outside Steward: a boot with a new boot ID. */
  poweredOnBySomeoneElse(): void {
    this.log.push('others: power on');
    this.power = 'on';
    this.node.bootId = 'boot-by-others';
  }

  activities(): ReinstallActivities {
    const cluster = this.node.activities();
    const describeNode: Activities['describeNode'] = async (a) => {
      if (!this.inKubernetes) throw invalidInput('node', `no node "${a.node}" in cluster "lab"`);
      const facts = await cluster.describeNode(a);
      return { ...facts, ready: this.power === 'on' };
    };
    const identity = () => {
      if (this.bmcSerial !== 'SRV-1') {
        throw ApplicationFailure.create({
          type: BMC_FAILURES.identityMismatch,
          message: `BMC reports serial "${this.bmcSerial}" but NetBox device ${this.name} has serial "SRV-1"`,
          nonRetryable: true,
        });
      }
    };
    const netbox = () => {
      this.netboxCalls++;
      if (this.netboxDown)
        throw ApplicationFailure.create({
          type: NETBOX_FAILURES.unavailable,
          message: 'NetBox answered HTTP 500: database unavailable',
        });
    };
    const powerOff = async () => {
      identity();
      const changed = this.power === 'on';
      if (changed) this.log.push('power off');
      this.power = 'off';
      return { power: 'off' as const, changed, message: 'powered off' };
    };
    return {
      ...cluster,
      describeNode,
      describeDevice: async ({ device }) => {
        netbox();
        if (device !== this.name)
          throw invalidInput('device', `no device named "${device}" in NetBox`);
        return {
          id: 1,
          name: this.name,
          serial: 'SRV-1',
          status: this.status,
          oobIp: '127.0.1.1',
          comments: '',
          customFields: { deployment_option: 'none', custom_base_script: null },
          lastUpdated: '2026-11-25T00:00:00Z',
        };
      },
      updateDevice: async ({ status }) => {
        netbox();
        if (status === undefined || status === this.status) return { changed: [] };
        this.status = status;
        this.log.push(`netbox ${status}`);
        return { changed: ['status'] };
      },
      addJournalEntry: async ({ kind }) => {
        this.log.push(`journal ${kind}`);
        return { id: this.log.length, created: true };
      },
      checkSecret: async ({ ref, field = 'secretRef' }) => {
        if (this.vaultLoginRefused) {
          throw ApplicationFailure.create({
            type: VAULT_FAILURES.loginFailed,
            message:
              'Vault AppRole login at auth/approle refused (HTTP 400): invalid role or secret ID',
            nonRetryable: true,
          });
        }
        const [path, key] = ref.replace(/^vault:/, '').split('#');
        if (path !== `secret/data/bmc/${this.name}`)
          throw invalidInput(field, `no secret at ${path}`);
        return { path, key, version: 1 };
      },
      checkBaseScript: async () => ({ bytes: 0, sha256: 'e3b0c44298fc' }),
      publishBaseScript: async ({ deployment }) => {
        this.log.push(`publish ${deployment}`);
        return { bytes: 0, sha256: 'e3b0c44298fc', url: 'http://provisioning', changed: true };
      },
      resolveBmcName: async ({ serial }) => ({
        name: `bmc-${serial}.oob`,
        addresses: ['127.0.1.1'],
        servers: [],
      }),
      bmcVerifyIdentity: async () => {
        identity();
        return { bmc: '127.0.1.1:623', serial: 'SRV-1', power: this.power };
      },
      bmcPowerOff: powerOff,
      bmcPxeBoot: async () => {
        identity();
        if (this.power === 'on')
          throw ApplicationFailure.create({
            type: BMC_FAILURES.poweredOnElsewhere,
            message: `${this.name} is on before Steward's power-on: someone else powered it on`,
            nonRetryable: true,
          });
        this.log.push('boot pxe', 'power on');
        this.power = 'on';
        if (!this.neverRejoins) this.node.bootId = 'boot-2';
        return { changed: true, message: 'set to boot from PXE and powered on' };
      },
      podBudgetsOnNode: async ({ pods }) => {
        const bound = new Set(this.node.pods.map((p) => p.pod.uid));
        return pods
          .filter((p) => bound.has(p.uid))
          .map((pod) => ({ pod, budgets: this.budgets.get(pod.name) ?? [] }));
      },
      cephOsdOkToStop: async ({ osds }) => {
        this.okToStopAsked.push(osds);
        const reason = this.osdsMayNotStop;
        return {
          okToStop: reason === undefined,
          osds,
          pgsBecomeDegraded: [],
          pgsBecomeInactive: reason === undefined ? [] : ['1.0'],
          ...(reason !== undefined && { reason }),
        };
      },
      awaitNodeRejoined: stepWaitActivities({
        describeNode,
        upgradeJobState: () => Promise.reject(new Error('not used')),
        gpuFacts: () => Promise.reject(new Error('not used')),
      }).awaitNodeRejoined,
    };
  }
}
