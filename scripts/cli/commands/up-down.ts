// steward up / steward down: the embedded default on this machine.
import { listDaemons, isRunning, logFile, stopDaemons } from '../../../lab/daemon';
import { startLab } from '../../../lab';
import { DEFAULT_STACK_PORTS, startTemporalAndWorker } from '../../stack';
import { DEFAULT_STATE_DIR } from '../context';
import { CliError, EXIT } from '../exit-codes';

const say = (line: string) => process.stdout.write(`${line}\n`);

export async function up(options: { scenario?: string }): Promise<number> {
  const stateDir = DEFAULT_STATE_DIR;
  const running = listDaemons(stateDir).filter((name) => isRunning(stateDir, name));
  if (running.length > 0) {
    throw new CliError(
      `already up (${running.join(', ')} running from ${stateDir}); run \`steward down\` first`,
      EXIT.failed,
    );
  }
  const ports = DEFAULT_STACK_PORTS;
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  try {
    say('starting the lab (Kubernetes: etcd, apiserver, controller manager, scheduler, KWOK) …');
    const lab = await startLab({ stateDir, scenarioPath: options.scenario });
    say(`  lab ready (${elapsed()})`);
    say('starting the Temporal dev server and the worker …');
    const { client } = await startTemporalAndWorker(stateDir, ports, lab);
    await client.connection.close();
    say(`  worker polling (${elapsed()})`);
    say('');
    say(`Steward is up in ${elapsed()}.`);
    say(`  Temporal UI   http://127.0.0.1:${ports.temporalUi}`);
    say(`  kubeconfig    export KUBECONFIG=${lab.kubeconfigPath}`);
    say(`  metrics       http://127.0.0.1:${ports.metrics}/metrics`);
    say(`  logs          ${logFile(stateDir, 'worker').replace(/worker\.log$/, '')}`);
    say('  try           steward drain worker-1   (then: steward list, steward status ID)');
    say('  stop          steward down');
    return EXIT.ok;
  } catch (err) {
    process.stderr.write(
      `steward: up failed: ${(err as Error).message}; stopping what it started\n`,
    );
    await stopDaemons(stateDir);
    return EXIT.failed;
  }
}

export async function down(): Promise<number> {
  const stateDir = DEFAULT_STATE_DIR;
  const names = listDaemons(stateDir).reverse();
  if (names.length === 0) {
    say('nothing to stop');
    return EXIT.ok;
  }
  await stopDaemons(stateDir, names);
  say(`stopped ${names.join(', ')}`);
  return EXIT.ok;
}
