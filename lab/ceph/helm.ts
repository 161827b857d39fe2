// The real helm CLI that scripts/setup/helm.sh built, cached by version.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readVersions } from '../binaries';

export function helmBinary(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.STEWARD_CACHE || join(homedir(), '.cache', 'steward');
  const path = join(cache, `helm-${readVersions().HELM_VERSION}`, 'bin', 'helm');
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`missing helm at ${path} (run scripts/setup/helm.sh)`);
  }
  return path;
}
