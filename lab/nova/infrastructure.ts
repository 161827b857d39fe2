// What Nova runs on: MariaDB (Nova's three databases; SQLite breaks concurrent evacuations) and
// RabbitMQ (with its own epmd, so that parallel labs do not share one).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from '../daemon';
import { waitFor } from '../wait';
import type { NovaPorts, NovaSecrets } from './configs';
import type { NovaLayout } from './layout';
import { runTool, waitForPort } from './processes';

const NOVA_DATABASES = ['nova_api', 'nova', 'nova_cell0'];

export async function startMariadb(
  stateDir: string,
  layout: NovaLayout,
  secrets: NovaSecrets,
): Promise<void> {
  const defaults = `--defaults-file=${layout.mariadbConf}`;
  const fresh = !existsSync(join(layout.dir, 'mariadb', 'mysql'));
  if (fresh) {
    await runTool('/usr/bin/mariadb-install-db', [
      defaults,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
  }
  startDaemon(stateDir, { name: 'nova-mariadb', command: '/usr/sbin/mariadbd', args: [defaults] });
  await waitFor(
    'MariaDB answering',
    async () => {
      await runTool('/usr/bin/mariadb-admin', [defaults, 'ping']);
      return true;
    },
    { intervalMs: 200, daemon: { stateDir, name: 'nova-mariadb' } },
  );
  if (!fresh) return;
  const sql = [
    ...NOVA_DATABASES.map((db) => `CREATE DATABASE IF NOT EXISTS ${db};`),
    `CREATE USER IF NOT EXISTS 'nova'@'127.0.0.1' IDENTIFIED BY '${secrets.database}';`,
    ...NOVA_DATABASES.map((db) => `GRANT ALL PRIVILEGES ON ${db}.* TO 'nova'@'127.0.0.1';`),
  ].join(' ');
  await runTool('/usr/bin/mariadb', [defaults, '-e', sql]);
}

/** RabbitMQ as root under /usr/lib/rabbitmq/bin (the /usr/sbin wrapper would switch users). */
export async function startRabbitmq(
  stateDir: string,
  layout: NovaLayout,
  ports: NovaPorts,
): Promise<void> {
  const dir = layout.rabbitmqDir;
  for (const d of ['mnesia', 'log']) mkdirSync(join(dir, d), { recursive: true });
  const erlang = {
    ERL_EPMD_PORT: String(ports.epmd),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  startDaemon(stateDir, {
    name: 'nova-epmd',
    command: '/usr/bin/epmd',
    args: ['-port', String(ports.epmd), '-address', '127.0.0.1'],
    env: { ...process.env, ...erlang },
  });
  await waitForPort(stateDir, 'nova-epmd', ports.epmd, 10_000);
  startDaemon(stateDir, {
    name: 'nova-rabbitmq',
    command: '/usr/lib/rabbitmq/bin/rabbitmq-server',
    args: [],
    env: {
      ...process.env,
      ...erlang,
      HOME: dir,
      RABBITMQ_NODENAME: 'rabbit@localhost',
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(ports.rabbitmq),
      RABBITMQ_DIST_PORT: String(ports.rabbitmqDist),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_LOGS: '-',
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    },
    cwd: dir,
    stopSignal: 'SIGKILL',
  });
}
