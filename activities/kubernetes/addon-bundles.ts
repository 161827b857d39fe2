// The upstream manifests of one add-on version, as scripts/setup/addon-manifests.sh stores them:
// <root>/<kind>/<version>/**/*.yaml, read in path order into client-node's typed models: its
// object API serializes through them, so a plain parsed object would lose every key whose model
// name differs (a CRD schema's x-kubernetes-int-or-string, x-kubernetes-validations, ...).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';

export const FETCH_COMMAND = 'scripts/setup/addon-manifests.sh';

/** Where the set-up script stores bundles unless STEWARD_ADDON_MANIFESTS says otherwise. */
export const defaultAddonManifests = (env: NodeJS.ProcessEnv = process.env): string =>
  join(env.STEWARD_CACHE || join(homedir(), '.cache', 'steward'), 'addons');

/** Every object of the bundle; a missing or empty bundle is a non-retryable failure saying how to fetch it. */
export function readAddonBundle(root: string, kind: string, version: string): KubernetesObject[] {
  const dir = join(root, kind, version);
  const files = existsSync(dir) ? yamlFiles(dir) : [];
  if (files.length === 0) {
    throw ApplicationFailure.nonRetryable(
      `no ${kind} ${version} manifests in ${dir}: pin the version in scripts/setup/versions.env and run ${FETCH_COMMAND} on the worker's host (or point STEWARD_ADDON_MANIFESTS at a directory that has them)`,
      'AddonManifestsMissing',
    );
  }
  return files.flatMap((file) =>
    (loadAllYaml(readFileSync(file, 'utf8')) as (KubernetesObject | null)[]).filter(
      (o): o is KubernetesObject => o !== null && typeof o === 'object',
    ),
  );
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => join(dir, name));
}
