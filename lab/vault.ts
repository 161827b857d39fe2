// The lab's Vault: an OpenBao dev server (in memory, so every start seeds it anew) holding the BMC
// credentials and the NetBox token in KV v2 at secret/, and the AppRole `steward-worker` that may
// read those and nothing else. The dev server prints its root token to its log, so the lab revokes
// that token once seeded and keeps an admin token of its own in a 0600 file.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baoBinary } from './binaries';
import { startDaemon, stopDaemons } from './daemon';
import { bmcCredentials } from './hosts';
import { labDir } from './kubernetes';
import type { ScenarioHost } from './scenario';
import { httpGet, waitFor } from './wait';

/** What `connection.json` says about Vault. */
export interface VaultConnection {
  address: string;
  /** 0600 files holding the AppRole credentials of the worker. */
  roleIdFile: string;
  secretIdFile: string;
}

export const VAULT_DAEMON = 'openbao';
export const WORKER_ROLE = 'steward-worker';

const vaultDir = (stateDir: string) => join(labDir(stateDir), 'vault');
/** A token with the root policy, for tests and operators of the lab. */
export const vaultAdminTokenFile = (stateDir: string) => join(vaultDir(stateDir), 'admin-token');

const WORKER_POLICY = `
path "secret/data/bmc/*" {
  capabilities = ["read"]
}
path "secret/data/netbox" {
  capabilities = ["read"]
}
path "secret/data/openstack/*" {
  capabilities = ["read"]
}
`;

export async function startVault(
  stateDir: string,
  port: number,
  seed: { hosts: ScenarioHost[]; netboxTokenFile: string },
): Promise<VaultConnection> {
  const dir = vaultDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const address = `http://127.0.0.1:${port}`;
  const devRootToken = randomBytes(24).toString('hex');
  startDaemon(stateDir, {
    name: VAULT_DAEMON,
    command: baoBinary(),
    args: ['server', '-dev', `-dev-listen-address=127.0.0.1:${port}`, '-dev-no-store-token'],
    // Through the environment, so the token is not on the command line.
    env: { ...process.env, BAO_DEV_ROOT_TOKEN_ID: devRootToken },
    cwd: dir,
  });
  await waitFor(
    'OpenBao /v1/sys/health',
    async () => (await httpGet(`${address}/v1/sys/health`)).status === 200,
    { daemon: { stateDir, name: VAULT_DAEMON } },
  );
  const api = vaultApi(address, devRootToken);
  for (const host of seed.hosts) {
    await api('POST', `secret/data/bmc/${host.name}`, { data: bmcCredentials(host.name) });
  }
  const netboxToken = readFileSync(seed.netboxTokenFile, 'utf8').trim();
  await api('POST', 'secret/data/netbox', { data: { token: netboxToken } });
  await api('POST', 'sys/auth/approle', { type: 'approle' });
  await api('PUT', `sys/policies/acl/${WORKER_ROLE}`, { policy: WORKER_POLICY });
  await api('POST', `auth/approle/role/${WORKER_ROLE}`, {
    token_policies: [WORKER_ROLE],
    token_ttl: '1h',
    token_max_ttl: '24h',
  });
  const roleId = await api<{ data: { role_id: string } }>(
    'GET',
    `auth/approle/role/${WORKER_ROLE}/role-id`,
  );
  const secretId = await api<{ data: { secret_id: string } }>(
    'POST',
    `auth/approle/role/${WORKER_ROLE}/secret-id`,
  );
  // An orphan: revoking the dev root token below revokes its children.
  const admin = await api<{ auth: { client_token: string } }>('POST', 'auth/token/create-orphan', {
    policies: ['root'],
    display_name: 'lab',
  });
  const connection = {
    address,
    roleIdFile: join(dir, 'role-id'),
    secretIdFile: join(dir, 'secret-id'),
  };
  writeSecret(connection.roleIdFile, roleId.data.role_id);
  writeSecret(connection.secretIdFile, secretId.data.secret_id);
  writeSecret(vaultAdminTokenFile(stateDir), admin.auth.client_token);
  await api('POST', 'auth/token/revoke-self');
  return connection;
}

/** Writes KV v2 secrets (`{ 'secret/data/x': { key: value } }`) with the lab's admin token. */
export async function writeVaultSecrets(
  stateDir: string,
  address: string,
  secrets: Record<string, Record<string, string>>,
): Promise<void> {
  const api = vaultApi(address, readFileSync(vaultAdminTokenFile(stateDir), 'utf8').trim());
  for (const [path, data] of Object.entries(secrets)) await api('POST', path, { data });
}

export async function stopVault(stateDir: string): Promise<void> {
  await stopDaemons(stateDir, [VAULT_DAEMON]);
}

function writeSecret(path: string, value: string): void {
  writeFileSync(path, value + '\n', { mode: 0o600 });
}

/** Calls OpenBao's HTTP API; a non-2xx answer throws with the server's own body. */
function vaultApi(address: string, token: string) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${address}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`OpenBao ${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
}
