// Worker start to polling, from source (tsx, bundling the workflows at start) and from the build
// (compiled JavaScript, the prebuilt bundle). Run `npm run build` first. Usage: [runs per mode].
import { stopDaemons } from '../../lab/daemon';
import { freeStackPorts, startTemporalWithConfig, startWorker, waitForWorker } from '../stack';
import { runBenchmark, seconds, timed } from './measure';

const runs = Number(process.argv[2] ?? 3);

runBenchmark('steward-worker-start-', async (stateDir) => {
  const ports = await freeStackPorts();
  const { client, configPath } = await startTemporalWithConfig(stateDir, ports, { clusters: {} });
  for (const from of ['source', 'build'] as const) {
    const figures: string[] = [];
    for (let i = 0; i < runs; i++) {
      const name = `worker-${from}-${i}`;
      const { ms } = await timed(() =>
        waitForWorker(client, startWorker(stateDir, configPath, name, from)),
      );
      figures.push(seconds(ms));
      await stopDaemons(stateDir, [name]);
    }
    console.log(`start to polling from ${from}: ${figures.join(', ')} s`);
  }
});
