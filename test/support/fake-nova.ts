// A region of hypervisors for the eviction workflows' decision tests: Nova's HTTP API as the real
// Nova activities call it (so their guard against a second evacuation runs as in production), and
// each host's BMC and NetBox device. Like Zed, it accepts a second evacuate of an instance still
// rebuilding and counts it; with no host to go to, the migration errs and the instance goes to
// ERROR on its host. The real servers are exercised in test/e2e.
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import type { OpenStackClient } from '../../activities/openstack/client';
import { novaActivities } from '../../activities/openstack/nova';
import { BMC_FAILURES, invalidInput, OPENSTACK_FAILURES } from '../../workflows/api';

interface FakeHost {
  name: string;
  zone: string;
  /** The compute process runs (it stops when the BMC powers the host off). */
  running: boolean;
  forcedDown: boolean;
  enabled: boolean;
  disabledReason: string | null;
  power: 'on' | 'off';
  /** The BMC answers (else every BMC call times out). */
  bmcAnswers: boolean;
  netboxStatus: string;
  journal: string[];
}

interface FakeServer {
  id: string;
  name: string;
  status: string;
  host: string;
  taskState: string | null;
  fault?: string;
}

interface FakeMigration {
  id: number;
  uuid: string;
  instance_uuid: string;
  migration_type: 'evacuation';
  status: string;
  source_compute: string;
  dest_compute: string | null;
  created_at: string;
  updated_at: string | null;
}

export const REGION = 'lab';

export class FakeNova {
  readonly hosts = new Map<string, FakeHost>();
  readonly servers = new Map<string, FakeServer>();
  readonly migrations: FakeMigration[] = [];
  /** Evacuate POSTs per instance. */
  readonly posts = new Map<string, number>();
  /** BMC commands and NetBox writes, in order. */
  readonly log: string[] = [];
  /** Milliseconds from an evacuate POST to its migration's end. */
  evacuationMs = 50;
  /** The next evacuation of these instances errs (as with no valid host), once each. */
  readonly failNext = new Set<string>();

  constructor(hostNames: string[], serversPerHost = 2) {
    for (const [n, name] of hostNames.entries()) {
      this.hosts.set(name, {
        name,
        zone: n % 2 === 0 ? 'a' : 'b',
        running: true,
        forcedDown: false,
        enabled: true,
        disabledReason: null,
        power: 'on',
        bmcAnswers: true,
        netboxStatus: 'active',
        journal: [],
      });
      for (let i = 1; i <= serversPerHost; i++) {
        const id = `${name}-vm-${i}`;
        this.servers.set(id, { id, name: id, status: 'ACTIVE', host: name, taskState: null });
      }
    }
  }

  host(name: string): FakeHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no fake host ${name}`);
    return h;
  }

  /** The compute dies (or starts) while the BMC says on. */
  setRunning(names: string[], running: boolean): void {
    for (const name of names) this.host(name).running = running;
  }

  serversOn(host: string): FakeServer[] {
    return [...this.servers.values()].filter((s) => s.host === host);
  }

  private state(h: FakeHost): 'up' | 'down' {
    return h.running && !h.forcedDown ? 'up' : 'down';
  }

  private service(h: FakeHost) {
    return {
      id: `svc-${h.name}`,
      host: h.name,
      zone: h.zone,
      state: this.state(h),
      status: h.enabled ? 'enabled' : 'disabled',
      forced_down: h.forcedDown,
      disabled_reason: h.disabledReason,
      updated_at: null,
    };
  }

  private rawServer(s: FakeServer) {
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      'OS-EXT-SRV-ATTR:host': s.host,
      'OS-EXT-STS:task_state': s.taskState,
      'OS-EXT-STS:vm_state': s.status.toLowerCase(),
      flavor: { vcpus: 1, ram: 512 },
      ...(s.fault && { fault: { message: s.fault } }),
    };
  }

  /** What OpenStackClient.request answers, for the paths the Nova activities use. */
  async request(
    region: string,
    _service: string,
    method: string,
    path: string,
    { body }: { body?: unknown } = {},
  ): Promise<unknown> {
    if (region !== REGION)
      throw invalidInput(
        'region',
        `no OpenStack region "${region}" in this worker's configuration`,
      );
    const [route, query = ''] = path.split('?');
    const params = new URLSearchParams(query);
    let m: RegExpExecArray | null;
    if (method === 'GET' && route === '/os-services') {
      const host = params.get('host');
      return {
        services: [...this.hosts.values()]
          .filter((h) => !host || h.name === host)
          .map((h) => this.service(h)),
      };
    }
    if (method === 'PUT' && (m = /^\/os-services\/svc-(.+)$/.exec(route))) {
      const h = this.host(m[1]);
      const b = body as { forced_down?: boolean; status?: string; disabled_reason?: string };
      if (b.forced_down !== undefined) h.forcedDown = b.forced_down;
      if (b.status !== undefined) {
        h.enabled = b.status === 'enabled';
        h.disabledReason = h.enabled ? null : (b.disabled_reason ?? null);
      }
      return { service: this.service(h) };
    }
    if (method === 'GET' && route === '/os-hypervisors/detail') {
      return {
        hypervisors: [...this.hosts.values()].map((h) => ({
          id: `hyp-${h.name}`,
          hypervisor_hostname: h.name,
          service: { host: h.name },
          state: this.state(h),
          status: h.enabled ? 'enabled' : 'disabled',
          running_vms: this.serversOn(h.name).length,
          vcpus: 8,
          vcpus_used: this.serversOn(h.name).length,
          memory_mb: 8192,
          memory_mb_used: 512 * this.serversOn(h.name).length,
        })),
      };
    }
    if (method === 'GET' && route === '/servers/detail')
      return { servers: this.serversOn(params.get('host')!).map((s) => this.rawServer(s)) };
    if (method === 'GET' && (m = /^\/servers\/([^/]+)$/.exec(route)))
      return { server: this.rawServer(this.servers.get(m[1])!) };
    if (method === 'GET' && route === '/os-migrations')
      return {
        migrations: this.migrations
          .filter((mg) => mg.instance_uuid === params.get('instance_uuid'))
          .reverse(),
      };
    if (method === 'POST' && (m = /^\/servers\/([^/]+)\/action$/.exec(route)))
      return this.evacuate(m[1], (body as { evacuate: { host?: string } }).evacuate.host);
    throw new Error(`fake Nova: no ${method} ${path}`);
  }

  private evacuate(id: string, target?: string): object {
    const s = this.servers.get(id)!;
    const source = this.host(s.host);
    if (this.state(source) === 'up')
      throw ApplicationFailure.create({
        type: OPENSTACK_FAILURES.refused,
        message: `compute POST /servers/${id}/action in lab: HTTP 400: Compute service of ${s.host} is still in use.`,
        nonRetryable: true,
      });
    this.posts.set(id, (this.posts.get(id) ?? 0) + 1);
    const wasStopped = s.status === 'SHUTOFF';
    const migration: FakeMigration = {
      id: this.migrations.length + 1,
      uuid: `mig-${this.migrations.length + 1}`,
      instance_uuid: id,
      migration_type: 'evacuation',
      status: 'accepted',
      source_compute: s.host,
      dest_compute: null,
      created_at: new Date().toISOString(),
      updated_at: null,
    };
    this.migrations.push(migration);
    s.status = 'REBUILD';
    s.taskState = 'rebuilding';
    setTimeout(() => {
      // Nova's scheduler alone piles a burst onto the first host it likes.
      const dest =
        target ??
        [...this.hosts.values()]
          .filter((h) => h.name !== s.host && this.state(h) === 'up' && h.enabled)
          .map((h) => h.name)
          .sort()[0];
      if (!dest || this.failNext.delete(id)) {
        Object.assign(migration, { status: 'error' });
        Object.assign(s, { status: 'ERROR', taskState: null, fault: 'No valid host was found. ' });
        return;
      }
      Object.assign(s, { host: dest, status: wasStopped ? 'SHUTOFF' : 'ACTIVE', taskState: null });
      delete s.fault;
      Object.assign(migration, { status: 'done', dest_compute: dest });
    }, this.evacuationMs);
    return {};
  }

  activities(): Partial<Activities> {
    const nova = novaActivities(() => this as unknown as OpenStackClient);
    const bmc = (device: string) => {
      const h = this.host(device);
      if (!h.bmcAnswers)
        throw ApplicationFailure.create({
          type: BMC_FAILURES.timeout,
          message: `BMC of ${device}: no answer (ipmitool timed out)`,
        });
      return h;
    };
    return {
      ...nova,
      describeDevice: async ({ device }) => {
        const h = this.hosts.get(device);
        if (!h) throw invalidInput('device', `no device named "${device}" in NetBox`);
        return {
          id: 1,
          name: device,
          serial: `SRV-${device}`,
          status: h.netboxStatus,
          oobIp: '127.0.1.1',
          comments: '',
          customFields: {},
          lastUpdated: '2026-12-01T00:00:00Z',
        };
      },
      updateDevice: async ({ device, status }) => {
        const h = this.host(device);
        if (status === undefined || status === h.netboxStatus) return { changed: [] };
        h.netboxStatus = status;
        this.log.push(`netbox ${device} ${status}`);
        return { changed: ['status'] };
      },
      addJournalEntry: async ({ device, kind, comments }) => {
        this.host(device).journal.push(comments);
        this.log.push(`journal ${device} ${kind}`);
        return { id: this.log.length, created: true };
      },
      bmcPowerOff: async ({ bmc: target }) => {
        const h = bmc(target.device);
        const changed = h.power === 'on';
        if (changed) this.log.push(`power off ${h.name}`);
        h.power = 'off';
        h.running = false;
        return { power: 'off', changed, message: `BMC of ${h.name} powered off` };
      },
      bmcPowerStatus: async ({ bmc: target }) => ({ power: bmc(target.device).power }),
      bmcVerifyIdentity: async ({ bmc: target }) => ({
        bmc: '127.0.1.1:623',
        serial: target.serial,
        power: bmc(target.device).power,
      }),
    };
  }
}
