// How the lab runs NetBox: its configuration module (lab/netbox/steward_lab_configuration.py)
// reads everything that differs between labs, secrets included, from the environment built here.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NetboxInstall } from './binaries';

export interface NetboxSecrets {
  /** Django's SECRET_KEY (at least 50 characters). */
  secretKey: string;
  /** The pepper NetBox hashes v2 API tokens with. */
  tokenPepper: string;
}

export interface NetboxEnvSpec {
  /** NETBOX_ROOT: media, scripts and static files of this instance. */
  root: string;
  dbPort: number;
  redisPort: number;
  secrets: NetboxSecrets;
}

export function netboxEnv(install: NetboxInstall, spec: NetboxEnvSpec): NodeJS.ProcessEnv {
  return {
    PATH: `${join(install.venv, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    NETBOX_ROOT: spec.root,
    NETBOX_CONFIGURATION: 'steward_lab_configuration',
    PYTHONPATH: join(__dirname, 'netbox'),
    // Not into the repository's lab/netbox/ (the venv's modules are compiled at install).
    PYTHONDONTWRITEBYTECODE: '1',
    STEWARD_NETBOX_DB_PORT: String(spec.dbPort),
    STEWARD_NETBOX_REDIS_PORT: String(spec.redisPort),
    STEWARD_NETBOX_SECRET_KEY: spec.secrets.secretKey,
    STEWARD_NETBOX_TOKEN_PEPPER: spec.secrets.tokenPepper,
  };
}

/** Runs a NetBox management command (`netbox migrate`, `netbox shell`, ...) to completion. */
export async function netboxCommand(
  install: NetboxInstall,
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<string> {
  const { stdout } = await promisify(execFile)(join(install.venv, 'bin', 'netbox'), args, {
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}
