// The steward command line.
import { userInfo } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { cliConfig, connect, pickCluster } from './context';
import { parseSeconds } from './duration';
import { CliError, EXIT } from './exit-codes';
import { failureOutcome, writeOutcome } from './workflow-outcome';
import { drain, uncordon } from './commands/node-operations';
import { decide, list, status, checkWorkflowId } from './commands/inspect';
import { watch } from './commands/watch';
import { kubernetesUpgrade } from './commands/kubernetes-upgrade';
import { parseDeployFlag, reinstall } from './commands/reinstall';
import { reconcileNow } from './commands/reconcile';
import { changeSchedule, createSchedule, listSchedules } from './commands/schedule';
import { OPERATIONS, renderExample } from './operations';
import { cephHealth, rookUpgrade } from './commands/rook-upgrade';
import { evict, evictWatch } from './commands/eviction';
import { windowOption } from './window-option';
import { outputOption, planOutput } from './output';
import { bashCompletion } from './completion';
import { setupNamespace } from './commands/setup-namespace';
import { version } from '../package.json';

const seconds = (value: string) => {
  try {
    return parseSeconds(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

/** A duration in whole minutes, at least one. */
const minutes = (value: string) => Math.max(1, Math.ceil(seconds(value) / 60));

async function withClient(
  run: (
    client: Awaited<ReturnType<typeof connect>>,
    config: ReturnType<typeof cliConfig>,
  ) => Promise<number>,
) {
  const config = cliConfig();
  const client = await connect(config);
  try {
    process.exitCode = await run(client, config);
  } finally {
    await client.connection.close();
  }
}

const program = new Command('steward')
  .description('Day-2 operations of a bare-metal cloud as durable Temporal workflows')
  .version(version)
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });

program
  .command('up')
  .description('start the Temporal dev server, the lab and a worker in the background')
  .option(
    '--scenario <name|file>',
    'lab scenario: a name in lab/scenarios (datacenter) or a YAML file',
  )
  .action(async (options) => {
    // Loaded on demand: the lab pulls in the Kubernetes client, which other commands never need.
    const { up } = await import('./commands/up-down.js');
    process.exitCode = await up(options);
  });

program
  .command('down')
  .description('stop everything `steward up` started, leaving no process of its state dir')
  .option('--purge', "also delete the state dir (the lab's data), to start another scenario")
  .action(async (options) => {
    const { down } = await import('./commands/up-down.js');
    process.exitCode = await down(options);
  });

program
  .command('setup-namespace')
  .description("register Steward's search attributes on the Temporal namespace (idempotent)")
  .action(() => withClient((client, config) => setupNamespace(client, config.temporal.namespace)));

program
  .command('drain')
  .description(
    'cordon NODE and evict its pods through the Eviction API, PodDisruptionBudgets respected',
  )
  .argument('<node>', 'the node to drain')
  .option('--cluster <name>', 'cluster (default: the only configured one)')
  .option(
    '--timeout <duration>',
    'time before the drain waits for an operator (e.g. 600, 15m)',
    seconds,
  )
  .option('--delete-emptydir-data', 'evict pods that use emptyDir (their data is lost)')
  .option('--force', 'evict pods that no controller manages')
  .option('--dry-run', 'print the plan: pods to evict, skip and refuse, and why; change nothing')
  .addOption(outputOption())
  .option('--detach', 'start and return without watching')
  .action((node: string, o) =>
    withClient((client, config) =>
      drain(
        client,
        config,
        {
          cluster: pickCluster(config, o.cluster),
          node,
          timeoutSeconds: o.timeout,
          deleteEmptyDirData: o.deleteEmptydirData ?? false,
          force: o.force ?? false,
        },
        { dryRun: o.dryRun, detach: o.detach, output: planOutput(o) },
      ),
    ),
  );

program
  .command('uncordon')
  .description(
    'return NODE to service; only a node Steward cordoned, and not while the operation that cordoned it runs, unless --force',
  )
  .argument('<node>', 'the node to uncordon')
  .option('--cluster <name>', 'cluster (default: the only configured one)')
  .option('--force', 'uncordon even a node that someone else, or a running operation, holds')
  .option('--detach', 'start and return without watching')
  .action((node: string, o) =>
    withClient((client, config) =>
      uncordon(
        client,
        config,
        { cluster: pickCluster(config, o.cluster), node, force: o.force ?? false },
        { detach: o.detach },
      ),
    ),
  );

program
  .command('k8s-upgrade')
  .description(
    'upgrade Kubernetes one minor at a time: control plane first, then workers in bounded batches',
  )
  .argument('<cluster>', 'the cluster to upgrade')
  .requiredOption('--to <version>', 'target version, e.g. 1.33 or 1.33.13')
  .option('--max-unavailable <n>', 'workers at once: a count or a percentage such as 25%', '1')
  .option('--pause <duration>', 'settle time before each node is checked (e.g. 5s)', seconds)
  .option(
    '--drain-timeout <duration>',
    'how long a drain may take before it asks (e.g. 10m)',
    seconds,
  )
  .option(
    '--step-timeout <duration>',
    "how long a node's Job, return to Ready and GPUs may each take (e.g. 15m)",
    seconds,
  )
  .option(
    '--monitoring-chart <version>',
    'kube-prometheus-stack chart version to prepare for: its CRDs per major, after the last step',
  )
  .option('--include <selector>', 'upgrade only the workers matching this label selector')
  .option('--exclude <selector>', 'leave out the workers matching this label selector')
  .option(
    '--approval <points>',
    'wait for `steward decide ID approve` at: before-each-step, before-workers (comma-separated)',
    (v: string) => v.split(',').map((p) => p.trim()),
  )
  .option(
    '--window <window>',
    'start nodes only in this maintenance window (repeat for several: any open), e.g. "sat,sun 22:00-04:00 Europe/Berlin"',
    windowOption,
  )
  .option('--dry-run', 'print the version path, batches and add-on steps; change nothing')
  .addOption(outputOption())
  .option('--detach', 'start and return without watching')
  .action((cluster: string, o) =>
    withClient((client, config) =>
      kubernetesUpgrade(
        client,
        config,
        {
          cluster,
          target: o.to,
          maxUnavailable: o.maxUnavailable,
          pauseSeconds: o.pause,
          drainTimeoutSeconds: o.drainTimeout,
          stepTimeoutSeconds: o.stepTimeout,
          approvalPoints: o.approval,
          monitoringChart: o.monitoringChart,
          window: o.window,
          nodes:
            o.include === undefined && o.exclude === undefined
              ? undefined
              : { include: o.include, exclude: o.exclude },
        },
        { dryRun: o.dryRun, detach: o.detach, output: planOutput(o) },
      ),
    ),
  );

const wholeNumber = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
};

program
  .command('reinstall')
  .description(
    'reinstall a bare-metal host: NetBox, drain, BMC (serial verified), PXE, power cycle, rejoin',
  )
  .argument('<node>', 'the NetBox device (and Kubernetes node) to reinstall')
  .option('--cluster <name>', 'cluster of its Kubernetes node (default: the only configured one)')
  .option('--deploy <option>', 'standard, none or custom:PATH (default: NetBox deployment_option)')
  .option('--drain-timeout <duration>', 'how long the drain may take before it asks', seconds)
  .option('--rejoin-timeout <duration>', 'how long the host may take to come back', seconds)
  .option(
    '--window <window>',
    'change the host only in this maintenance window (repeat for several: any open), e.g. "sat,sun 22:00-04:00 Europe/Berlin"',
    windowOption,
  )
  .option(
    '--nova-region <name>',
    'the host is a Nova hypervisor there: disable it and migrate its instances away first',
  )
  .option('--migration-concurrency <n>', 'instances migrated at once (default 2)', wholeNumber)
  .option('--dry-run', 'print the deployment, script and BMC (its serial checked); change nothing')
  .addOption(outputOption())
  .option('--detach', 'start and return without watching')
  .action((node: string, o) =>
    withClient((client, config) =>
      reinstall(
        client,
        config,
        {
          node,
          cluster: pickCluster(config, o.cluster),
          ...(o.deploy === undefined ? {} : parseDeployFlag(o.deploy)),
          drainTimeoutSeconds: o.drainTimeout,
          rejoinTimeoutSeconds: o.rejoinTimeout,
          window: o.window,
          novaRegion: o.novaRegion,
          migrationConcurrency: o.migrationConcurrency,
        },
        { dryRun: o.dryRun, detach: o.detach, output: planOutput(o) },
      ),
    ),
  );

program
  .command('evict')
  .description(
    'evict a failed hypervisor: re-confirm, fence (BMC off, verified), force down and disable, evacuate, NetBox failed',
  )
  .argument('<host>', 'the compute host (Nova service host and NetBox device)')
  .requiredOption('--region <name>', 'the OpenStack region as the worker config names it')
  .option('--concurrency <n>', 'evacuations at once (default 4)', wholeNumber)
  .option(
    '--threshold <n|p%>',
    'refused when more hosts, or share of them, are down or evicted within the window (default 2 and 25%)',
  )
  .option('--zone', 'apply the threshold per availability zone rather than over the region')
  .option(
    '--failure-window <duration>',
    'how long an eviction counts against the threshold (default 1h)',
    minutes,
  )
  .option('--dry-run', "print Nova's view, the BMC (serial checked) and each instance's target")
  .addOption(outputOption())
  .option('--detach', 'start and return without watching')
  .action((host: string, o) =>
    withClient((client, config) =>
      evict(
        client,
        config,
        {
          region: o.region,
          host,
          concurrency: o.concurrency,
          threshold: o.threshold,
          failureWindowMinutes: o.failureWindow,
          ...(o.zone && { thresholdScope: 'zone' as const }),
        },
        { dryRun: o.dryRun, detach: o.detach, output: planOutput(o) },
      ),
    ),
  );

program
  .command('evict-watch')
  .description(
    "watch a region's hypervisors and evict each one failed for the grace; nothing above the partition threshold",
  )
  .argument('<region>', 'the OpenStack region as the worker config names it')
  .option('--interval <duration>', 'time between polls (default 30s)', seconds)
  .option(
    '--threshold <n|p%>',
    'at most this many failed hosts, or share of them (default 2 and 25%)',
  )
  .option(
    '--grace <polls>',
    'polls a host must be seen failed before it is evicted (default 2)',
    wholeNumber,
  )
  .option('--zone', 'apply the threshold per availability zone rather than over the region')
  .option(
    '--failure-window <duration>',
    'how long an eviction counts against the threshold (default 1h)',
    minutes,
  )
  .action((region: string, o) =>
    withClient((client, config) =>
      evictWatch(client, config, {
        region,
        intervalSeconds: o.interval,
        gracePolls: o.grace,
        threshold: o.threshold,
        failureWindowMinutes: o.failureWindow,
        ...(o.zone && { thresholdScope: 'zone' as const }),
      }),
    ),
  );

program
  .command('rook-upgrade')
  .description(
    "upgrade Rook's operator and/or the Ceph image, Rook first, behind Ceph health gates",
  )
  .argument('<cluster>', 'the cluster whose Rook and Ceph to upgrade')
  .option('--rook <version>', 'Rook chart version, one minor at a time (e.g. v1.15.3)')
  .option('--ceph <image>', 'Ceph image tagged with its version (e.g. quay.io/ceph/ceph:v18.2.4)')
  .option(
    '--pause <duration>',
    'settle time after each change before a gate reads (e.g. 5s)',
    seconds,
  )
  .option(
    '--gate-timeout <duration>',
    'how long a roll and its gate may take before it stops Rook and asks (e.g. 10m)',
    seconds,
  )
  .option(
    '--window <window>',
    'start only in this maintenance window (repeat for several: any open), e.g. "sun 02:00-06:00 Europe/Berlin"',
    windowOption,
  )
  .option(
    '--dry-run',
    'print the changes, the daemons Rook would roll and the gate now; change nothing',
  )
  .addOption(outputOption())
  .option('--detach', 'start and return without watching')
  .action((cluster: string, o) =>
    withClient((client, config) =>
      rookUpgrade(
        client,
        config,
        {
          cluster,
          rook: o.rook,
          ceph: o.ceph,
          pauseSeconds: o.pause,
          gateTimeoutSeconds: o.gateTimeout,
          window: o.window,
        },
        { dryRun: o.dryRun, detach: o.detach, output: planOutput(o) },
      ),
    ),
  );

program
  .command('ceph-health')
  .description("the Ceph health gate's verdict now, with Ceph's own messages: exit 0 pass, 1 fail")
  .argument('<cluster>', 'the cluster whose Ceph to judge')
  .addOption(outputOption())
  .action((cluster: string, o) =>
    withClient((client, config) => cephHealth(client, config, cluster, o)),
  );

const reconcile = program
  .command('reconcile')
  .description('bring NetBox in line with a cluster: device status and kubelet version per node');
reconcile
  .command('run')
  .description('reconcile once, now')
  .option('--cluster <name>', 'cluster (default: the only configured one)')
  .action((o) =>
    withClient((client, config) => reconcileNow(client, config, pickCluster(config, o.cluster))),
  );
reconcile
  .command('schedule')
  .description('reconcile on a Temporal Schedule (created, or updated when it exists)')
  .requiredOption('--every <duration>', 'interval, e.g. 10m', seconds)
  .option('--cluster <name>', 'cluster (default: the only configured one)')
  .action((o) =>
    withClient((client, config) =>
      createSchedule(client, config, {
        operation: 'reconcile',
        input: { cluster: pickCluster(config, o.cluster) },
        everySeconds: o.every,
      }),
    ),
  );

program
  .command('status')
  .description(
    'show an operation: exit 0 running or done, 1 ended short of its goal, 3 waiting for an operator, 4 unknown',
  )
  .argument('<id>', 'workflow ID, e.g. drain/lab/worker-3')
  .addOption(outputOption())
  .action((id: string, o) => withClient((client) => status(client, id, o)));

program
  .command('watch')
  .description('follow an operation live until it ends')
  .argument('<id>', 'workflow ID')
  .option('--until-wait', 'also return (exit 3) when it waits for an operator')
  .action((id: string, o) =>
    withClient(
      async (client) =>
        (await watch(client, checkWorkflowId(id), { untilWait: o.untilWait })).exitCode,
    ),
  );

program
  .command('list')
  .description('list Steward operations (running ones unless --all)')
  .option('--all', 'include finished operations')
  .option('--operation <operation>', 'only this operation, e.g. k8s-upgrade, drain, rook-upgrade')
  .option('--cluster <cluster>', 'only operations on this cluster')
  .option('--target <target>', 'only operations on this target, e.g. a node or a version')
  .option('--phase <phase>', 'only operations in this phase, e.g. waiting-for-operator')
  .option('-q, --quiet', 'print the IDs only')
  .addOption(outputOption())
  .action((o) => withClient((client) => list(client, o)));

program
  .command('decide')
  .description('give the decision an operation waits for')
  .argument('<id>', 'workflow ID')
  .argument(
    '<decision>',
    'retry | skip | abort after a failed step; approve | abort at an approval point',
  )
  .option('--note <text>', 'why, for the record', `by ${userInfo().username}`)
  .action((id: string, decision: string, o) =>
    withClient((client) => decide(client, id, decision, o.note)),
  );

program
  .command('examples')
  .description(
    'how to start each operation from the Temporal UI: workflow type, task queue, ID and input',
  )
  .argument('[operation]', `one of ${Object.keys(OPERATIONS).join(', ')}`)
  .action((operation?: string) => {
    const names = operation === undefined ? Object.keys(OPERATIONS) : [operation];
    const unknown = names.find((name) => !(name in OPERATIONS));
    if (unknown !== undefined) {
      throw new CliError(
        `OPERATION: "${unknown}" must be one of ${Object.keys(OPERATIONS).join(', ')}`,
        EXIT.usage,
      );
    }
    process.stdout.write(
      names.map((name) => renderExample(name, OPERATIONS[name])).join('\n\n') + '\n',
    );
  });

const json = (value: string) => {
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new InvalidArgumentError(`not JSON: ${(err as Error).message}`);
  }
};

const schedule = program
  .command('schedule')
  .description(
    'run operations on Temporal Schedules (overlap skip, catch-up, not paused on failure)',
  );
schedule
  .command('create')
  .description('create a Schedule for OPERATION, or update the one it has (see `steward examples`)')
  .argument('<operation>', 'e.g. k8s-upgrade-plan, drain-plan, reinstall-plan, reconcile')
  .requiredOption('--input <json>', "the operation's input, as in the Temporal UI", json)
  .option('--every <duration>', 'interval, e.g. 10m', seconds)
  .option('--cron <expression>', 'cron expression (UTC), e.g. "0 3 * * 1"')
  .action((operation: string, o) =>
    withClient((client, config) =>
      createSchedule(client, config, {
        operation,
        input: o.input,
        everySeconds: o.every,
        cron: o.cron,
      }),
    ),
  );
schedule
  .command('list')
  .description("Steward's schedules: state, next and last run")
  .action(() => withClient((client) => listSchedules(client)));
for (const change of ['pause', 'resume', 'delete'] as const) {
  schedule
    .command(change)
    .description(`${change} a schedule`)
    .argument('<id>', 'schedule ID, as `steward schedule list` prints it')
    .option('--note <text>', 'why, for the record', `by ${userInfo().username}`)
    .action((id: string, o) => withClient((client) => changeSchedule(client, id, change, o.note)));
}

program
  .command('completion')
  .description('print a completion script: source <(steward completion bash)')
  .argument('<shell>', 'bash')
  .action((shell: string) => {
    if (shell !== 'bash')
      throw new CliError(`SHELL: "${shell}" is not supported; bash is`, EXIT.usage);
    process.stdout.write(bashCompletion(program));
  });

program.parseAsync().catch((err: unknown) => {
  if (err instanceof CliError) {
    process.stderr.write(`steward: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  if (err instanceof WorkflowFailedError) {
    const outcome = failureOutcome(err);
    writeOutcome(outcome);
    process.exit(outcome.exitCode);
  }
  if (err instanceof WorkflowNotFoundError) {
    process.stderr.write(`steward: ID: ${err.message}\n`);
    process.exit(EXIT.notFound);
  }
  process.stderr.write(`steward: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT.failed);
});
