// steward up / steward down: the embedded default on this machine. A state dir holds one
// scenario's lab; down stops what acts first (worker, then the lab's controllers, then daemons)
// and leaves no process of the state dir running.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listDaemons, isRunning, logFile, processesOf, stopDaemons } from '../../lab/daemon';
import { DEFAULT_SCENARIO, scenarioPath, startLab, stopLab } from '../../lab';
import { DEFAULT_STACK_PORTS, startTemporalAndWorker } from '../../scripts/stack';
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
  const scenario = options.scenario ? namedScenario(options.scenario) : DEFAULT_SCENARIO;
  refuseOtherScenario(stateDir, scenario);
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(scenarioFile(stateDir), `${scenario}\n`);
  const ports = DEFAULT_STACK_PORTS;
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  try {
    say('starting the lab (Kubernetes: etcd, apiserver, controller manager, scheduler, KWOK) …');
    const lab = await startLab({ stateDir, scenarioPath: scenario });
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

const scenarioFile = (stateDir: string) => join(stateDir, 'scenario');

function namedScenario(nameOrFile: string): string {
  try {
    return scenarioPath(nameOrFile);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
}

/** A lab's state (etcd, NetBox's database) belongs to its scenario: another one must not reuse it. */
function refuseOtherScenario(stateDir: string, scenario: string): void {
  const file = scenarioFile(stateDir);
  const held = existsSync(file)
    ? readFileSync(file, 'utf8').trim()
    : existsSync(join(stateDir, 'lab'))
      ? 'a scenario it does not name'
      : undefined;
  if (held === undefined || held === scenario) return;
  throw new CliError(
    `scenario: ${stateDir} holds the lab of ${held}, not ${scenario}; ` +
      'reset it with `steward down --purge` (deletes it), then run up again',
    EXIT.usage,
  );
}

export async function down(options: { purge?: boolean } = {}): Promise<number> {
  const stateDir = DEFAULT_STATE_DIR;
  const names = listDaemons(stateDir).filter((name) => isRunning(stateDir, name));
  // Nothing may act while the rest stops: the worker first, then the lab (its controllers before
  // the daemons they would restart), then whatever else is recorded.
  await stopDaemons(stateDir, ['worker', 'temporal']);
  await stopLab(stateDir);
  await stopDaemons(stateDir);
  const left = processesOf(stateDir);
  for (const { pid } of left) {
    // Its process group too, when it leads one (a daemon's child that called setsid).
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Not a group leader, or gone meanwhile.
      }
    }
  }
  say(names.length > 0 ? `stopped ${names.join(', ')}` : 'nothing was running');
  for (const { pid, cmdline } of left) say(`  killed a leftover process ${pid}: ${cmdline}`);
  if (options.purge) {
    rmSync(stateDir, { recursive: true, force: true });
    say(`removed ${stateDir}`);
  }
  return EXIT.ok;
}
