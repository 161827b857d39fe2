// A worker process as workers/main.ts builds one (the Runtime's Prometheus exporter, the same
// workflows and interceptors, the operation census), with a FakeFleet's activities, for test/workflows/metrics.test.ts.
// Reads TEMPORAL_ADDRESS, METRICS_PORT and TASK_QUEUE; runs until SIGTERM.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { clusterGuardActivities } from '../../activities/temporal/guard';
import { prometheusTelemetry } from '../../workers/metrics';
import { startOperationCensus } from '../../workers/operation-census';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../workers/workflow-interceptors';
import { FakeFleet } from './fake-fleet';

export const METRICS_FLEET = [{ name: 'cp-1', controlPlane: true }, { name: 'w1' }];

async function main(): Promise<void> {
  Runtime.install({
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: prometheusTelemetry({
      port: Number(process.env.METRICS_PORT),
      bindAddress: '127.0.0.1',
    }),
  });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  // The upgrade takes its lease from the cluster's guard, as with the real worker.
  const temporal = new Client({
    connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS }),
  });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.TASK_QUEUE!,
    workflowsPath: require.resolve('../../workflows'),
    interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
    // No webhook: the notifications interceptor's events go nowhere.
    activities: {
      ...new FakeFleet(METRICS_FLEET).activities(),
      notifyOperators: async () => undefined,
      ...clusterGuardActivities({ client: () => temporal, maxUnavailableNodes: () => 2 }),
    },
  });
  // Counted every half second (the worker's default is 30 s) so the test sees the counts move.
  const stopCensus = startOperationCensus(temporal, Runtime.instance().metricMeter, 500, (m) =>
    console.error(m),
  );
  await worker.run();
  stopCensus();
  await connection.close();
  await temporal.connection.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
