// Seeds a scenario's add-ons as an operator would have installed them, with kubectl from the
// upstream manifests that scripts/setup/addon-manifests.sh stored: the snapshot-controller through
// kustomize (namespace snapshot-controller, the release's image tag), a kube-prometheus-stack
// release as its prometheus-operator Deployment (labelled as the chart labels it) plus that
// operator's CRDs. An add-on already there is left alone, so an upgrade made since stays.
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ScenarioAddons } from './scenario';

const SNAPSHOT_NAMESPACE = 'snapshot-controller';
const RELEASE = 'kube-prometheus-stack';

export const addonManifestsDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.STEWARD_ADDON_MANIFESTS ||
  join(env.STEWARD_CACHE || join(homedir(), '.cache', 'steward'), 'addons');

export async function seedAddons(kubeconfig: string, addons: ScenarioAddons): Promise<void> {
  const kubectl = async (...args: string[]) =>
    (await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, ...args])).stdout;
  const present = async (namespace: string, name: string) =>
    (await kubectl('get', 'deployment', '-n', namespace, name, '--ignore-not-found', '-o', 'name'))
      .length > 0;
  const applyCrds = async (dir: string) => {
    await kubectl('apply', '--server-side', '-f', dir);
    await kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', dir);
  };
  const work = mkdtempSync(join(tmpdir(), 'lab-addons-'));
  try {
    const snapshot = addons.snapshotController;
    if (snapshot && !(await present(SNAPSHOT_NAMESPACE, 'snapshot-controller'))) {
      const bundle = bundleDir('snapshotController', 'snapshot-controller', snapshot);
      await applyCrds(join(bundle, 'crds'));
      const dir = join(work, 'snapshot-controller');
      copyYaml(join(bundle, 'controller'), dir);
      writeFileSync(join(dir, 'namespace.json'), JSON.stringify(namespace(SNAPSHOT_NAMESPACE)));
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        JSON.stringify({
          namespace: SNAPSHOT_NAMESPACE,
          resources: readdirSync(dir).sort(),
          images: [{ name: 'registry.k8s.io/sig-storage/snapshot-controller', newTag: snapshot }],
        }),
      );
      await kubectl('apply', '--server-side', '-k', dir);
    }
    const monitoring = addons.monitoring;
    if (monitoring && !(await present(monitoring.namespace, `${RELEASE}-operator`))) {
      await applyCrds(bundleDir('monitoring.operator', 'monitoring-crds', monitoring.operator));
      const file = join(work, 'monitoring.json');
      writeFileSync(
        file,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [namespace(monitoring.namespace), operatorDeployment(monitoring)],
        }),
      );
      await kubectl('apply', '--server-side', '-f', file);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function bundleDir(field: string, kind: string, version: string): string {
  const dir = join(addonManifestsDir(), kind, version);
  if (!existsSync(dir)) {
    throw new Error(
      `scenario addons.${field}: no ${kind} ${version} manifests in ${dir}; pin it in scripts/setup/versions.env and run scripts/setup/addon-manifests.sh`,
    );
  }
  return dir;
}

function copyYaml(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from).filter((n) => n.endsWith('.yaml'))) {
    copyFileSync(join(from, name), join(to, name));
  }
}

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** The chart's prometheus-operator Deployment, with the labels its templates give it. */
function operatorDeployment(m: NonNullable<ScenarioAddons['monitoring']>) {
  const selector = { app: `${RELEASE}-operator`, release: RELEASE };
  const labels = {
    ...selector,
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/instance': RELEASE,
    'app.kubernetes.io/version': m.chart,
    'app.kubernetes.io/part-of': RELEASE,
    chart: `${RELEASE}-${m.chart}`,
    heritage: 'Helm',
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${RELEASE}-operator`, namespace: m.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: RELEASE,
              image: `quay.io/prometheus-operator/prometheus-operator:${m.operator}`,
              args: ['--kubelet-service=kube-system/kube-prometheus-stack-kubelet'],
              ports: [{ containerPort: 8080, name: 'http' }],
            },
          ],
        },
      },
    },
  };
}
