// Nova's side of the lab once its services run: hosts mapped into the cell, every hypervisor up,
// an image, a flavor, a quota large enough, and instances spread over the hypervisors.
import { waitFor } from '../wait';
import { OpenStackApi } from './api';
import type { NovaPorts } from './configs';
import type { NovaLayout } from './layout';
import { novaManage } from './processes';

export const FLAVOR = 'm1.tiny';
export const IMAGE = 'lab-raw';
/** --host at boot (2.74) places an instance on a chosen hypervisor. */
const BOOT_MICROVERSION = '2.74';

interface Service {
  host: string;
  binary: string;
  state: string;
  status: string;
}

export interface ComputeSeedOptions {
  hypervisors: string[];
  instances: number;
}

export async function waitForComputes(
  api: OpenStackApi,
  ports: NovaPorts,
  layout: NovaLayout,
  hypervisors: string[],
): Promise<void> {
  const nova = `http://127.0.0.1:${ports.novaApi}/v2.1`;
  await waitFor(
    `nova-compute up on ${hypervisors.join(', ')}`,
    async () => {
      const { services } = await api.call<{ services: Service[] }>(
        'GET',
        `${nova}/os-services?binary=nova-compute`,
      );
      const up = new Set(services.filter((s) => s.state === 'up').map((s) => s.host));
      const missing = hypervisors.filter((h) => !up.has(h));
      return missing.length === 0 || `not up: ${missing.join(', ')}`;
    },
    { timeoutMs: 480_000, intervalMs: 1_000 },
  );
  await novaManage(layout, 'cell_v2', 'discover_hosts');
  await waitFor(
    'every hypervisor listed',
    async () => {
      const { hypervisors: listed } = await api.call<{
        hypervisors: { hypervisor_hostname: string; state: string }[];
      }>('GET', `${nova}/os-hypervisors`);
      const names = new Set(
        listed.filter((h) => h.state === 'up').map((h) => h.hypervisor_hostname),
      );
      const missing = hypervisors.filter((h) => !names.has(h));
      return missing.length === 0 || `not listed: ${missing.join(', ')}`;
    },
    { timeoutMs: 120_000, intervalMs: 1_000 },
  );
}

/** The image, flavor, quota and instances; what exists already is kept (a resumed lab). */
export async function seedCompute(
  api: OpenStackApi,
  ports: NovaPorts,
  { hypervisors, instances }: ComputeSeedOptions,
): Promise<void> {
  const nova = `http://127.0.0.1:${ports.novaApi}/v2.1`;
  const glance = `http://127.0.0.1:${ports.glance}/v2`;

  let image = (
    await api.call<{ images: { id: string; status: string }[] }>(
      'GET',
      `${glance}/images?name=${IMAGE}`,
    )
  ).images[0];
  if (!image) {
    image = await api.call('POST', `${glance}/images`, {
      name: IMAGE,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'public',
    });
  }
  if (image.status === 'queued') {
    await api.call('PUT', `${glance}/images/${image.id}/file`, undefined, {
      raw: Buffer.alloc(1024),
    });
  }

  const { flavors } = await api.call<{ flavors: { id: string; name: string }[] }>(
    'GET',
    `${nova}/flavors`,
  );
  let flavor = flavors.find((f) => f.name === FLAVOR);
  if (!flavor) {
    flavor = (
      await api.call<{ flavor: { id: string; name: string } }>('POST', `${nova}/flavors`, {
        flavor: { name: FLAVOR, ram: 512, vcpus: 1, disk: 1 },
      })
    ).flavor;
  }

  const projectId = await tokenProject(api, ports);
  await api.call('PUT', `${nova}/os-quota-sets/${projectId}`, {
    quota_set: { instances: 1000, cores: 2000, ram: 2_048_000 },
  });

  const { servers } = await api.call<{ servers: { name: string }[] }>(
    'GET',
    `${nova}/servers?all_tenants=1`,
  );
  const existing = new Set(servers.map((s) => s.name));
  const wanted = Array.from({ length: instances }, (_, i) => ({
    name: `vm-${String(i + 1).padStart(3, '0')}`,
    host: hypervisors[i % hypervisors.length],
  })).filter((w) => !existing.has(w.name));
  // A few at a time: every boot is a scheduler, conductor and compute round on two cores.
  for (let i = 0; i < wanted.length; i += 4) {
    await Promise.all(
      wanted.slice(i, i + 4).map(({ name, host }) =>
        api.call(
          'POST',
          `${nova}/servers`,
          {
            server: { name, flavorRef: flavor.id, imageRef: image.id, networks: 'none', host },
          },
          { microversion: BOOT_MICROVERSION },
        ),
      ),
    );
  }
  await waitFor(
    `${instances} instances ACTIVE`,
    async () => {
      const { servers: all } = await api.call<{ servers: { name: string; status: string }[] }>(
        'GET',
        `${nova}/servers/detail?all_tenants=1`,
      );
      const failed = all.filter((s) => s.status === 'ERROR').map((s) => s.name);
      if (failed.length > 0) throw new Error(`instances in ERROR: ${failed.join(', ')}`);
      const active = all.filter((s) => s.status === 'ACTIVE').length;
      return active >= instances || `${active} of ${instances} ACTIVE`;
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
}

async function tokenProject(api: OpenStackApi, ports: NovaPorts): Promise<string> {
  const token = await api.authToken();
  const res = await fetch(`http://127.0.0.1:${ports.keystone}/v3/auth/tokens`, {
    headers: { 'X-Auth-Token': token, 'X-Subject-Token': token },
  });
  const body = (await res.json()) as { token: { project: { id: string } } };
  return body.token.project.id;
}
