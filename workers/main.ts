// The Steward worker: runs every workflow and activity on the configured task queue until SIGTERM
// or SIGINT, then finishes in-flight work within the grace time.
import { NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig } from './config';
import { createLogger, sdkLogger } from './logger';
import { connectionOptions } from './temporal-connection';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.log.level);
  Runtime.install({
    logger: sdkLogger(log, config.log.level.toUpperCase() as LogLevel),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      metrics: { prometheus: { bindAddress: `127.0.0.1:${config.metrics.port}` } },
    },
  });
  const connection = await NativeConnection.connect(connectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({
      clusters: config.clusters,
      evictionPollMs: config.drain.evictionPollMs,
      addonManifests: config.addons.manifests,
      helm: config.helm,
    }),
    shutdownGraceTime: '20 seconds',
  });
  log.info(
    {
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      taskQueue: config.taskQueue,
      clusters: Object.keys(config.clusters),
      metrics: `http://127.0.0.1:${config.metrics.port}/metrics`,
    },
    'worker started',
  );
  try {
    await worker.run();
  } finally {
    await connection.close();
    log.info('worker stopped');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
