// The Steward worker: runs every workflow and activity on the configured task queue until SIGTERM
// or SIGINT, then finishes in-flight work within the grace time.
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { createActivities, createClients, type ActivityDeps } from '../activities';
import { loadConfig } from './config';
import { workflowCode } from './workflow-code';
import { createLogger, sdkLogger } from './logger';
import { connectionOptions } from './temporal-connection';
import { prometheusTelemetry } from './metrics';
import { startOperationCensus } from './operation-census';
import { serveHealth } from './health';
import { reloadCertificates } from './certificate-reload';
import { becomeCurrentIfNone, buildId, deploymentOptions } from './versioning';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.log.level);
  Runtime.install({
    logger: sdkLogger(log, config.log.level.toUpperCase() as LogLevel),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: prometheusTelemetry(config.metrics),
  });
  const connection = await NativeConnection.connect(connectionOptions(config.temporal));
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const deps: ActivityDeps = {
    clusters: config.clusters,
    evictionPollMs: config.drain.evictionPollMs,
    addonManifests: config.addons.manifests,
    kubernetesReleases: config.kubernetes.releases,
    netbox: config.netbox,
    vault: config.vault,
    openstack: config.openstack,
    bmc: config.bmc,
    dns: config.dns,
    provisioningUrl: config.provisioning.url,
    customScriptsDir: config.provisioning.scriptsDir,
    helm: config.helm,
    webhook: {
      url: config.notifications.webhookUrl,
      format: config.notifications.format,
      uiUrl: config.temporal.uiUrl,
    },
    temporal,
  };
  const clients = createClients(deps);
  const deployment = config.temporal.deployment;
  const build = buildId(deployment.buildId);
  const worker = await Worker.create({
    workerDeploymentOptions: deployment.versioning
      ? deploymentOptions(deployment.name, build)
      : undefined,
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    ...workflowCode(),
    activities: createActivities(deps, clients),
    shutdownGraceTime: '20 seconds',
  });
  const health = config.health.port
    ? await serveHealth(worker, {
        port: config.health.port,
        bindAddress: config.health.bindAddress,
      })
    : undefined;
  const { censusIntervalSeconds } = config.metrics;
  const census = (client: Client) =>
    censusIntervalSeconds > 0
      ? startOperationCensus(
          client,
          Runtime.instance().metricMeter,
          censusIntervalSeconds * 1000,
          (message) => log.warn(message),
        )
      : undefined;
  let stopCensus = census(temporal);
  // A new connection after a certificate change: what used the old one moves to it.
  const stopReloading = reloadCertificates({
    worker,
    temporal: config.temporal,
    connected: (next) => {
      deps.temporal = new Client({ connection: next, namespace: config.temporal.namespace });
      stopCensus?.();
      stopCensus = census(deps.temporal);
    },
    log,
  });
  log.info(
    {
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      taskQueue: config.taskQueue,
      deployment: deployment.versioning ? `${deployment.name}/${build}` : 'unversioned',
      clusters: Object.keys(config.clusters),
      netbox: config.netbox?.url,
      vault: config.vault?.address,
      metrics: `http://${config.metrics.bindAddress}:${config.metrics.port}/metrics`,
      health: health && `http://${config.health.bindAddress}:${config.health.port}/readyz`,
    },
    'worker started',
  );
  if (deployment.versioning) {
    // Once this worker polls: a deployment's first build takes new runs without an operator.
    becomeCurrentIfNone(deps.temporal!, deployment.name, build).then(
      (became) => became && log.info({ build }, 'first build of the deployment: made current'),
      (err: unknown) => log.warn({ err: (err as Error).message }, 'deployment not checked'),
    );
  }
  try {
    await worker.run();
  } finally {
    stopReloading();
    stopCensus?.();
    health?.close();
    await worker.connection?.close();
    // After the last activity: a token left behind would stay valid until its TTL runs out.
    await clients.vault?.revokeSelf().then(
      (revoked) => revoked && log.info('Vault token revoked'),
      (err: unknown) => log.warn({ err: (err as Error).message }, 'Vault token not revoked'),
    );
    log.info('worker stopped');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
