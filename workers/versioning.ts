// Worker Versioning: the worker declares its Worker Deployment (`steward`) and its build ID, so a
// pinned operation finishes on the build that started it and never replays on another. Long
// operations are pinned (the worker's default); the workflows that never end and must move to a
// new build (the cluster guard, the eviction watch) say AUTO_UPGRADE where they are defined.
// The first build of a deployment makes itself current; later builds are made current by the
// operator's rollout (docs/deployment.md).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import { version } from '../package.json';

/** The build ID's file in the build (dist/), written with the workflow bundle it names. */
export const BUILD_ID_FILE = 'build-id';

/** `<package version>+<git commit>`: the source as it is committed. */
export function sourceBuildId(repo = join(__dirname, '..')): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return `${version}+${commit}`;
  } catch {
    return version; // no git (an unpacked tarball): the package version alone
  }
}

/** The configured build ID, else the build's, else the source's. */
export function buildId(configured?: string, buildDir = join(__dirname, '..')): string {
  if (configured) return configured;
  const file = join(buildDir, BUILD_ID_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : sourceBuildId();
}

export function deploymentOptions(deploymentName: string, build: string): WorkerDeploymentOptions {
  return {
    version: { deploymentName, buildId: build },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'PINNED',
  };
}

/** The deployment's current build ID; undefined when it has none (or does not exist yet). */
export async function currentBuildId(
  client: Client,
  deploymentName: string,
): Promise<string | undefined> {
  try {
    const { workerDeploymentInfo } = await client.workflowService.describeWorkerDeployment({
      namespace: client.options.namespace,
      deploymentName,
    });
    return workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId ?? undefined;
  } catch (err) {
    if ((err as { code?: number }).code === 5) return undefined; // NOT_FOUND: no worker polled yet
    throw err;
  }
}

/**
 * Makes `build` the deployment's current version, once its workers poll (the server refuses a
 * version it has not seen): retried every half second for up to `timeoutMs`.
 */
export async function setCurrentBuild(
  client: Client,
  deploymentName: string,
  build: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: client.options.namespace,
        deploymentName,
        buildId: build,
        identity: 'steward',
      });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The first build of a deployment becomes current by itself; a later one waits for the operator. */
export async function becomeCurrentIfNone(
  client: Client,
  deploymentName: string,
  build: string,
): Promise<boolean> {
  if ((await currentBuildId(client, deploymentName)) !== undefined) return false;
  await setCurrentBuild(client, deploymentName, build);
  return true;
}
