// The lab's OpenStack configuration files, written at every start (ports and paths may differ).
// Facts and pitfalls behind them: ../shared/notes/nova-lab.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabPorts } from '../ports';
import { NovaLayout, REGION } from './layout';
import type { NovaScenario } from './scenario';

export type NovaPorts = Pick<
  LabPorts,
  | 'keystone'
  | 'placement'
  | 'glance'
  | 'novaApi'
  | 'network'
  | 'rabbitmq'
  | 'rabbitmqDist'
  | 'epmd'
  | 'mariadb'
>;

export interface NovaSecrets {
  admin: string;
  steward: string;
  /** Keystone passwords of the service users, and Nova's MariaDB password. */
  nova: string;
  placement: string;
  glance: string;
  database: string;
}

export const keystoneUrl = (ports: Pick<NovaPorts, 'keystone'>) =>
  `http://127.0.0.1:${ports.keystone}/v3`;

/** Renders an ini file from sections of key/value pairs. */
function ini(sections: Record<string, Record<string, string | number | boolean>>): string {
  return Object.entries(sections)
    .map(
      ([name, values]) =>
        `[${name}]\n` +
        Object.entries(values)
          .map(([k, v]) => `${k} = ${String(v)}\n`)
          .join(''),
    )
    .join('\n');
}

/** keystonemiddleware's (and keystoneauth's) password login as a service user. */
function serviceAuth(ports: NovaPorts, user: string, password: string) {
  return {
    auth_type: 'password',
    auth_url: keystoneUrl(ports),
    project_domain_name: 'Default',
    user_domain_name: 'Default',
    project_name: 'service',
    username: user,
    password,
    region_name: REGION,
  };
}

const authtoken = (ports: NovaPorts, user: string, password: string) => ({
  www_authenticate_uri: keystoneUrl(ports),
  ...serviceAuth(ports, user, password),
});

const sqlite = (file: string) => `sqlite:///${file}`;

export function novaDatabaseUrl(ports: NovaPorts, secrets: NovaSecrets, database: string) {
  return `mysql+pymysql://nova:${secrets.database}@127.0.0.1:${ports.mariadb}/${database}?charset=utf8`;
}

export function writeNovaConfigs(
  layout: NovaLayout,
  ports: NovaPorts,
  secrets: NovaSecrets,
  scenario: NovaScenario,
): void {
  const { dir, etc } = layout;
  for (const d of [etc, layout.placementDir, join(dir, 'state'), join(dir, 'images')])
    mkdirSync(d, { recursive: true, mode: 0o700 });
  const write = (path: string, text: string) => writeFileSync(path, text, { mode: 0o600 });

  write(
    layout.keystoneConf,
    ini({
      DEFAULT: { debug: false },
      database: { connection: sqlite(join(dir, 'keystone.db')) },
      token: { provider: 'fernet', expiration: 3600 },
      fernet_tokens: { key_repository: join(dir, 'fernet-keys') },
      fernet_receipts: { key_repository: join(dir, 'fernet-keys') },
      credential: { key_repository: join(dir, 'credential-keys') },
    }),
  );

  write(
    join(layout.placementDir, 'placement.conf'),
    ini({
      placement_database: { connection: sqlite(join(dir, 'placement.db')) },
      api: { auth_strategy: 'keystone' },
      keystone_authtoken: authtoken(ports, 'placement', secrets.placement),
    }),
  );

  const glancePaste = join(etc, 'glance-api-paste.ini');
  write(
    layout.glanceConf,
    ini({
      DEFAULT: { bind_host: '127.0.0.1', bind_port: ports.glance, workers: 1 },
      database: { connection: sqlite(join(dir, 'glance.db')) },
      glance_store: {
        stores: 'file',
        default_store: 'file',
        filesystem_store_datadir: join(dir, 'images'),
      },
      paste_deploy: { flavor: 'keystone', config_file: glancePaste },
      keystone_authtoken: authtoken(ports, 'glance', secrets.glance),
    }),
  );
  write(glancePaste, GLANCE_PASTE);

  const novaPaste = join(etc, 'nova-api-paste.ini');
  write(novaPaste, NOVA_PASTE);
  write(
    layout.novaConf,
    ini({
      DEFAULT: {
        transport_url: `rabbit://guest:guest@127.0.0.1:${ports.rabbitmq}/`,
        compute_driver: 'fake.FakeDriver',
        my_ip: '127.0.0.1',
        enabled_apis: 'osapi_compute',
        osapi_compute_listen: '127.0.0.1',
        osapi_compute_listen_port: ports.novaApi,
        osapi_compute_workers: 1,
        report_interval: scenario.reportInterval,
        service_down_time: scenario.serviceDownTime,
        state_path: join(dir, 'state'),
      },
      wsgi: { api_paste_config: novaPaste },
      api: { auth_strategy: 'keystone' },
      oslo_concurrency: { lock_path: join(dir, 'state', 'locks') },
      conductor: { workers: 1 },
      scheduler: { workers: 1, discover_hosts_in_cells_interval: -1 },
      filter_scheduler: {
        enabled_filters: 'ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter',
      },
      // No validation cache: a revoked token is refused at once (with the default 300 s cache,
      // Nova accepts a revoked token for up to five minutes).
      keystone_authtoken: { ...authtoken(ports, 'nova', secrets.nova), token_cache_time: -1 },
      placement: serviceAuth(ports, 'placement', secrets.placement),
      neutron: serviceAuth(ports, 'nova', secrets.nova),
      glance: { api_servers: `http://127.0.0.1:${ports.glance}` },
      service_user: { send_service_user_token: false },
      oslo_messaging_rabbit: { heartbeat_timeout_threshold: 0 },
    }),
  );
  // Only the control services get the databases: nova-compute refuses to start with them.
  write(
    layout.novaDbConf,
    ini({
      api_database: { connection: novaDatabaseUrl(ports, secrets, 'nova_api') },
      database: { connection: novaDatabaseUrl(ports, secrets, 'nova') },
    }),
  );
  for (const host of scenario.hypervisors) {
    write(
      layout.computeConf(host),
      ini({
        DEFAULT: { host },
        oslo_concurrency: { lock_path: join(dir, 'state', `locks-${host}`) },
      }),
    );
  }

  write(
    layout.mariadbConf,
    ini({
      mysqld: {
        datadir: join(dir, 'mariadb'),
        socket: join(dir, 'mariadb.sock'),
        'pid-file': join(dir, 'mariadb.pid'),
        port: ports.mariadb,
        'bind-address': '127.0.0.1',
        user: 'root',
        'skip-name-resolve': 'ON',
        innodb_buffer_pool_size: '64M',
        innodb_flush_log_at_trx_commit: 0,
        innodb_doublewrite: 0,
        performance_schema: 'OFF',
        max_connections: 500,
      },
      client: { socket: join(dir, 'mariadb.sock'), user: 'root' },
    }),
  );

  mkdirSync(layout.rabbitmqDir, { recursive: true, mode: 0o700 });
  write(
    join(layout.rabbitmqDir, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = 127.0.0.1:${ports.rabbitmq}`,
      // guest may log in from loopback only, which is all the lab uses.
      'loopback_users.guest = true',
      'disk_free_limit.absolute = 50MB',
      '',
    ].join('\n'),
  );
  write(join(layout.rabbitmqDir, 'enabled_plugins'), '[].\n');
}

// Minimal paste pipelines (Debian ships them in the service packages, which the lab does not install).
const NOVA_PASTE = `[composite:osapi_compute]
use = call:nova.api.openstack.urlmap:urlmap_factory
/: oscomputeversions
/v2.1: oscomputeversion_v2
/v2.1/+: openstack_compute_api_v21

[composite:openstack_compute_api_v21]
use = call:nova.api.auth:pipeline_factory_v21
keystone = compute_req_id faultwrap request_log authtoken keystonecontext osapi_compute_app_v21

[pipeline:oscomputeversions]
pipeline = faultwrap request_log oscomputeversionapp

[pipeline:oscomputeversion_v2]
pipeline = compute_req_id faultwrap request_log oscomputeversionapp_v2

[app:oscomputeversionapp]
paste.app_factory = nova.api.openstack.compute.versions:Versions.factory

[app:oscomputeversionapp_v2]
paste.app_factory = nova.api.openstack.compute.versions:VersionsV2.factory

[app:osapi_compute_app_v21]
paste.app_factory = nova.api.openstack.compute:APIRouterV21.factory

[filter:compute_req_id]
paste.filter_factory = nova.api.compute_req_id:ComputeReqIdMiddleware.factory

[filter:faultwrap]
paste.filter_factory = nova.api.openstack:FaultWrapper.factory

[filter:request_log]
paste.filter_factory = nova.api.openstack.requestlog:RequestLog.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[filter:keystonecontext]
paste.filter_factory = nova.api.auth:NovaKeystoneContext.factory
`;

const GLANCE_PASTE = `[pipeline:glance-api-keystone]
pipeline = versionnegotiation authtoken context rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[app:apiversions]
paste.app_factory = glance.api.versions:create_resource

[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory

[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory

[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
delay_auth_decision = true
`;
