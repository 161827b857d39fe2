// Keystone: its database and keys once, then the lab's projects, users and service catalog.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { keystoneUrl, type NovaPorts, type NovaSecrets } from './configs';
import { OpenStackApi } from './api';
import { REGION, SERVICE_USERS, STEWARD_USER, type NovaLayout } from './layout';
import { PYTHON } from './layout';
import { runTool } from './processes';

const keystoneManage = (layout: NovaLayout, ...args: string[]) =>
  runTool('/usr/bin/keystone-manage', ['--config-file', layout.keystoneConf, ...args]);

/** SQLite in WAL mode: otherwise even a single worker meets "database is locked". */
export const walMode = (file: string) =>
  runTool(PYTHON, [
    '-c',
    "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode=WAL')",
    file,
  ]);

export async function initKeystone(layout: NovaLayout, ports: NovaPorts, secrets: NovaSecrets) {
  await keystoneManage(layout, 'db_sync');
  await walMode(join(layout.dir, 'keystone.db'));
  const owner = ['--keystone-user', 'root', '--keystone-group', 'root'];
  if (!existsSync(join(layout.dir, 'fernet-keys', '0')))
    await keystoneManage(layout, 'fernet_setup', ...owner);
  if (!existsSync(join(layout.dir, 'credential-keys', '0')))
    await keystoneManage(layout, 'credential_setup', ...owner);
  const url = `${keystoneUrl(ports)}/`;
  await keystoneManage(
    layout,
    'bootstrap',
    '--bootstrap-password',
    secrets.admin,
    '--bootstrap-admin-url',
    url,
    '--bootstrap-internal-url',
    url,
    '--bootstrap-public-url',
    url,
    '--bootstrap-region-id',
    REGION,
  );
}

interface Named {
  id: string;
  name: string;
}

/** Project `service`, the service users, Steward's user, and the endpoints of every service. */
export async function seedKeystone(api: OpenStackApi, ports: NovaPorts, secrets: NovaSecrets) {
  const base = keystoneUrl(ports);
  const list = async (kind: string, query = '') =>
    (await api.call<Record<string, Named[]>>('GET', `${base}/${kind}${query}`))[kind];
  const ensure = async (kind: string, singular: string, body: Record<string, unknown>) => {
    const name = body.name as string;
    const found = (await list(kind, `?name=${encodeURIComponent(name)}`))[0];
    if (found) return found;
    return (await api.call<Record<string, Named>>('POST', `${base}/${kind}`, { [singular]: body }))[
      singular
    ];
  };
  const service = await ensure('projects', 'project', { name: 'service', domain_id: 'default' });
  const admin = (await list('projects', '?name=admin'))[0];
  const adminRole = (await list('roles', '?name=admin'))[0];
  const users: [string, string, Named][] = [
    ...SERVICE_USERS.map((u) => [u, secrets[u], service] as [string, string, Named]),
    [STEWARD_USER, secrets.steward, admin],
  ];
  for (const [name, password, project] of users) {
    const user = await ensure('users', 'user', { name, password, domain_id: 'default' });
    await api.call('PUT', `${base}/projects/${project.id}/users/${user.id}/roles/${adminRole.id}`);
  }
  const catalog: [string, string, string][] = [
    ['nova', 'compute', `http://127.0.0.1:${ports.novaApi}/v2.1`],
    ['placement', 'placement', `http://127.0.0.1:${ports.placement}`],
    ['glance', 'image', `http://127.0.0.1:${ports.glance}`],
    ['neutron', 'network', `http://127.0.0.1:${ports.network}`],
  ];
  for (const [name, type, url] of catalog) {
    const svc = await ensure('services', 'service', { name, type });
    const existing = await list('endpoints', `?service_id=${svc.id}`);
    for (const iface of ['public', 'internal', 'admin']) {
      if (existing.some((e) => (e as unknown as { interface: string }).interface === iface))
        continue;
      await api.call('POST', `${base}/endpoints`, {
        endpoint: { service_id: svc.id, interface: iface, url, region_id: REGION },
      });
    }
  }
}
