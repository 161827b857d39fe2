import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bareMetalDaemons } from './bare-metal';
import { isRunning, listDaemons, readDaemon } from './daemon';
import { HOST_SERVICE_DAEMONS } from './host-services';
import { DEFAULT_STATE_DIR, startLab, stopLab } from './index';
import { KUBERNETES_DAEMONS, kubernetesRunning, labDir } from './kubernetes';
import { computeDaemon, NOVA_DAEMONS } from './nova/layout';

const USAGE = `usage: tsx lab/main.ts <command> [options]
  up      [--state-dir D] [--scenario F]   start the lab detached and apply the scenario
  down    [--state-dir D]                  stop the lab (its data stays in the state dir)
  status  [--state-dir D]                  show the lab's processes and connection
default state dir: ${DEFAULT_STATE_DIR}`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'state-dir': { type: 'string' }, scenario: { type: 'string' } },
  });
  const stateDir = resolve(values['state-dir'] ?? DEFAULT_STATE_DIR);
  switch (positionals[0]) {
    case 'up': {
      const started = Date.now();
      const c = await startLab({
        stateDir,
        scenarioPath: values.scenario && resolve(values.scenario),
      });
      console.log(`lab up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${c.server}`);
      console.log(`kubeconfig: ${c.kubeconfigPath}`);
      console.log(`connection: ${c.connectionPath}`);
      console.log(`try: kubectl --kubeconfig ${c.kubeconfigPath} get nodes`);
      if (c.netbox) console.log(`netbox: ${c.netbox.url} (API token in ${c.netbox.tokenFile})`);
      if (c.vault) console.log(`vault: ${c.vault.address} (AppRole steward-worker)`);
      if (c.openstack)
        console.log(
          `openstack: OS_CLIENT_CONFIG_FILE=${c.openstack.cloudsYaml} openstack --os-cloud lab-admin server list --all-projects`,
        );
      if (c.ceph)
        console.log(
          `ceph: ceph --conf ${c.ceph.conf} status (chart repository ${c.ceph.chartRepo})`,
        );
      return 0;
    }
    case 'down':
      await stopLab(stateDir);
      console.log(`lab stopped (${stateDir})`);
      return 0;
    case 'status': {
      // NetBox and OpenBao run only for scenarios with hosts: listed when they ever started.
      const hostServices = HOST_SERVICE_DAEMONS.filter((name) => readDaemon(stateDir, name));
      // OpenStack runs only for scenarios with nova.
      const openstack = listDaemons(stateDir).filter(
        (name) =>
          (NOVA_DAEMONS as readonly string[]).includes(name) || name.startsWith(computeDaemon('')),
      );
      const names = [...KUBERNETES_DAEMONS, ...bareMetalDaemons(stateDir), ...hostServices];
      for (const name of [...names, ...openstack]) {
        const record = readDaemon(stateDir, name);
        const state = isRunning(stateDir, name) ? `running, pid ${record?.pid}` : 'stopped';
        console.log(`${name.padEnd(24)} ${state}`);
      }
      const connection = resolve(labDir(stateDir), 'connection.json');
      if (existsSync(connection)) console.log(readFileSync(connection, 'utf8').trim());
      return kubernetesRunning(stateDir).length === KUBERNETES_DAEMONS.length ? 0 : 3;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
