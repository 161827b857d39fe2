// Steward's Vault (or OpenBao) client: logs in with AppRole on first use, keeps its token renewed
// before it expires, resolves secret references, and revokes its token when the worker stops.
// Secret values are returned to the calling activity only; they never enter an error message.
import { readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import nodeVault from 'node-vault';
import { invalidInput, VAULT_FAILURES } from '../../workflows/api';
import { parseSecretRef } from '../../workflows/policy/secret-ref';
import type { SecretPurpose } from '../common/secrets';

export interface VaultConfig {
  address: string;
  /** Files holding the AppRole role ID and secret ID, read at every login. */
  roleIdFile: string;
  secretIdFile: string;
  /** The AppRole auth mount; default `approle`. */
  approleMount?: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** The Vault paths each purpose may read (activities/common/secrets.ts has the defaults). */
  prefixes?: Partial<Record<SecretPurpose, string[]>>;
}

/** The facts of a secret that are safe to record: never its value. */
export interface SecretFacts {
  path: string;
  key: string;
  /** The KV v2 version that was read. */
  version: number;
}

export class VaultClient {
  private readonly api: nodeVault.client;
  private login?: Promise<void>;

  constructor(private readonly config: VaultConfig) {
    this.api = nodeVault({
      endpoint: config.address,
      requestOptions: { timeout: config.timeoutMs ?? 10_000 },
    });
    // node-vault falls back to VAULT_TOKEN from the environment; Steward logs in itself.
    this.api.token = '';
    // A renewal that failed (the token reached its max TTL, or was revoked) or a token that can
    // no longer be renewed: the next use logs in again.
    this.api.on('token:error:renew', () => this.forgetToken());
    this.api.on('token:expired', () => this.forgetToken());
  }

  /** Resolves `vault:<path>#<key>`; `field` names the input that carried the reference. */
  async readSecret(ref: string, field = 'secretRef'): Promise<string> {
    return (await this.read(ref, field)).value;
  }

  /** Checks that a reference resolves, without returning the secret. */
  async checkSecret(ref: string, field = 'secretRef'): Promise<SecretFacts> {
    const { path, key, version } = await this.read(ref, field);
    return { path, key, version };
  }

  /** Revokes the token this client holds (worker shutdown); true when there was one. */
  async revokeSelf(): Promise<boolean> {
    const login = this.login;
    if (!login) return false;
    this.forgetToken();
    try {
      await login;
    } catch {
      return false; // never logged in
    }
    try {
      await this.api.tokenRevokeSelf();
    } catch (err) {
      // Already expired or revoked: nothing left to revoke.
      if (status(err) !== 403) throw vaultFailure(err, 'revoke-self');
    }
    this.api.token = '';
    return true;
  }

  private async read(ref: string, field: string): Promise<SecretFacts & { value: string }> {
    const { path, key } = parseSecretRef(ref, field);
    let response: unknown;
    try {
      response = await this.withToken(() => this.api.read(path));
    } catch (err) {
      if (err instanceof ApplicationFailure) throw err; // the login's own verdict
      if (status(err) === 404) throw invalidInput(field, `no secret at ${path}`);
      throw vaultFailure(err, `read ${path}`);
    }
    const secret = response as { data?: { data?: Record<string, unknown>; metadata?: object } };
    const data = secret.data?.data;
    if (!data) throw invalidInput(field, `${path} is not a KV v2 secret (no data.data)`);
    const value = data[key];
    if (typeof value !== 'string') {
      const keys = Object.keys(data).sort().join(', ') || 'none';
      throw invalidInput(field, `the secret at ${path} has no string key "${key}" (keys: ${keys})`);
    }
    const version = (secret.data?.metadata as { version?: number } | undefined)?.version ?? 0;
    return { path, key, version, value };
  }

  /**
   * Runs `call` with a valid token. A 403 may mean the token died under us (revoked, or expired
   * between renewals): if a lookup of the token fails too, log in again and retry once;
   * otherwise the policy really denies it.
   */
  private async withToken<T>(call: () => Promise<T>): Promise<T> {
    await this.ensureLogin();
    try {
      return await call();
    } catch (err) {
      if (status(err) !== 403 || (await this.tokenAlive())) throw err;
    }
    this.forgetToken();
    await this.ensureLogin();
    return call();
  }

  private ensureLogin(): Promise<void> {
    if (!this.login) {
      const attempt = this.logIn();
      this.login = attempt;
      // A failed login is not cached: the next call tries again.
      attempt.catch(() => {
        if (this.login === attempt) this.login = undefined;
      });
    }
    return this.login;
  }

  private async logIn(): Promise<void> {
    const mount = this.config.approleMount ?? 'approle';
    const credentials = {
      role_id: readFileSync(this.config.roleIdFile, 'utf8').trim(),
      secret_id: readFileSync(this.config.secretIdFile, 'utf8').trim(),
    };
    let auth: { lease_duration: number; renewable: boolean };
    try {
      ({ auth } = (await this.api.approleLogin({ mount_point: mount, ...credentials })) as {
        auth: typeof auth;
      });
    } catch (err) {
      const code = status(err);
      if (code !== undefined && code < 500) {
        throw ApplicationFailure.create({
          type: VAULT_FAILURES.loginFailed,
          message: `Vault AppRole login at auth/${mount} refused (HTTP ${code}): ${message(err)}; check the role ID and secret ID files`,
          nonRetryable: true,
        });
      }
      throw vaultFailure(err, `AppRole login at auth/${mount}`);
    }
    if (auth.renewable && auth.lease_duration > 0) {
      await this.api.startTokenRenewal({ ttl: auth.lease_duration });
    }
  }

  private async tokenAlive(): Promise<boolean> {
    try {
      await this.api.tokenLookupSelf();
      return true;
    } catch {
      return false;
    }
  }

  private forgetToken(): void {
    this.api.stopTokenRenewal();
    this.login = undefined;
  }
}

function status(err: unknown): number | undefined {
  return (err as { response?: { statusCode?: number } }).response?.statusCode;
}

/** Vault's message on one line ("1 error occurred:\n\t* permission denied" has three). */
function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}

/** 5xx and network failures are worth retrying; what Vault refuses is not. */
function vaultFailure(err: unknown, what: string): ApplicationFailure {
  const code = status(err);
  const text = `Vault ${what}: ${code ? `HTTP ${code}: ` : ''}${message(err)}`;
  if (code === undefined || code >= 500) {
    return ApplicationFailure.create({ type: VAULT_FAILURES.unavailable, message: text });
  }
  return ApplicationFailure.create({
    type: VAULT_FAILURES.denied,
    message: text,
    nonRetryable: true,
  });
}
