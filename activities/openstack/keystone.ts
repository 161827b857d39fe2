// Keystone v3 password authentication with a token cache per credentials and scope: a token is
// reused until it is close to expiry, then renewed; a token a service rejects (401: revoked, or
// the keys rotated) is dropped, and the caller authenticates again once.
import { ApplicationFailure } from '@temporalio/common';
import { OPENSTACK_FAILURES } from '../../workflows/api';

/** Who logs in, and to which project; the password comes from `password()` at each login. */
export interface KeystoneCredentials {
  authUrl: string;
  username: string;
  userDomain: string;
  project: string;
  projectDomain: string;
}

export interface CatalogEndpoint {
  interface: string;
  region_id: string;
  url: string;
}

export interface KeystoneToken {
  token: string;
  expiresAt: number;
  catalog: { type: string; endpoints: CatalogEndpoint[] }[];
}

export interface TokenCacheOptions {
  /** Renew a token this long before Keystone's expiry (default 5 min). */
  renewBeforeMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

/** The cache key: the same user and scope share one token. */
export const credentialsKey = (c: KeystoneCredentials) =>
  [c.authUrl.replace(/\/$/, ''), c.userDomain, c.username, c.projectDomain, c.project].join('|');

interface CacheEntry {
  login: Promise<KeystoneToken>;
  /** Set once the login succeeded. */
  token?: KeystoneToken;
}

export class KeystoneTokenCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Logins made (for operators' metrics and tests: a cached token makes none). */
  logins = 0;

  constructor(private readonly options: TokenCacheOptions = {}) {}

  /** A valid token for `credentials`: the cached one unless it is about to expire. */
  async token(
    credentials: KeystoneCredentials,
    password: () => Promise<string>,
  ): Promise<KeystoneToken> {
    const key = credentialsKey(credentials);
    const entry = this.entries.get(key);
    const now = (this.options.now ?? Date.now)();
    const renewBefore = this.options.renewBeforeMs ?? 300_000;
    if (entry && (!entry.token || entry.token.expiresAt - renewBefore > now)) return entry.login;
    const fresh: CacheEntry = { login: this.login(credentials, password) };
    this.entries.set(key, fresh);
    fresh.login.then(
      (token) => (fresh.token = token),
      () => this.entries.get(key) === fresh && this.entries.delete(key),
    );
    return fresh.login;
  }

  /** Forgets `token` (a service answered 401 to it); a newer token of the same key stays. */
  drop(credentials: KeystoneCredentials, token: KeystoneToken): void {
    const key = credentialsKey(credentials);
    if (this.entries.get(key)?.token === token) this.entries.delete(key);
  }

  private async login(
    c: KeystoneCredentials,
    password: () => Promise<string>,
  ): Promise<KeystoneToken> {
    const url = `${c.authUrl.replace(/\/$/, '')}/auth/tokens`;
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: c.username, domain: { name: c.userDomain }, password: await password() },
          },
        },
        scope: { project: { name: c.project, domain: { name: c.projectDomain } } },
      },
    };
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw ApplicationFailure.create({
        type: OPENSTACK_FAILURES.unavailable,
        message: `Keystone POST ${url}: ${(err as Error).message}`,
      });
    }
    this.logins++;
    const text = await res.text();
    const who = `${c.userDomain}/${c.username} scoped to ${c.projectDomain}/${c.project}`;
    if (res.status >= 500)
      throw ApplicationFailure.create({
        type: OPENSTACK_FAILURES.unavailable,
        message: `Keystone login of ${who}: HTTP ${res.status}: ${text.slice(0, 300)}`,
      });
    if (!res.ok)
      throw ApplicationFailure.create({
        type: OPENSTACK_FAILURES.loginFailed,
        message: `Keystone refused the login of ${who}: HTTP ${res.status}: ${errorMessage(text)}`,
        nonRetryable: true,
      });
    const token = res.headers.get('x-subject-token');
    const parsed = JSON.parse(text) as {
      token: { expires_at: string; catalog?: KeystoneToken['catalog'] };
    };
    if (!token) throw new Error(`Keystone answered ${url} without X-Subject-Token`);
    return {
      token,
      expiresAt: Date.parse(parsed.token.expires_at),
      catalog: parsed.token.catalog ?? [],
    };
  }
}

/** OpenStack errors: `{"error": {"message"}}` (Keystone) or `{"<kind>": {"message"}}` (Nova). */
export function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, { message?: string }>;
    const first = Object.values(body)[0];
    if (first && typeof first.message === 'string') return first.message;
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}
