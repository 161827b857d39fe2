// The lab's Helm chart repository: lab/ceph/chart packaged at each version the scenario lists,
// indexed by `helm repo index` and served over HTTP by Python's http.server, as any static chart
// repository is served. `helm upgrade --repo <url> --version V` then works as against Rook's.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from '../daemon';
import { httpGet, waitFor } from '../wait';
import { runOk } from './cli';

export const CHART_REPO_DAEMON = 'rook-chart-repo';
const CHART_DIR = join(__dirname, 'chart');

export async function startChartRepo(
  stateDir: string,
  dir: string,
  { helm, port, versions }: { helm: string; port: number; versions: string[] },
): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const version of versions) {
    await runOk(helm, [
      'package',
      CHART_DIR,
      '--version',
      version,
      '--app-version',
      version,
      '--destination',
      dir,
    ]);
  }
  const url = `http://127.0.0.1:${port}`;
  await runOk(helm, ['repo', 'index', dir, '--url', url]);
  startDaemon(stateDir, {
    name: CHART_REPO_DAEMON,
    command: 'python3',
    args: ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir],
  });
  await waitFor(
    'chart repository index.yaml',
    async () => (await httpGet(`${url}/index.yaml`)).status === 200,
    { daemon: { stateDir, name: CHART_REPO_DAEMON } },
  );
  return url;
}
