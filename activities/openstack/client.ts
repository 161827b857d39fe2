// Steward's OpenStack client: one region's service endpoints from Keystone's catalog, calls with
// explicit Nova microversions, one re-authentication when a service answers 401. What OpenStack
// cannot answer now (5xx, no connection, timeout) is retryable; what it refuses (4xx) is not and
// carries the service's own message.
import { ApplicationFailure } from '@temporalio/common';
import { invalidInput, OPENSTACK_FAILURES } from '../../workflows/api';
import type { SecretResolver } from '../common/secrets';
import {
  errorMessage,
  KeystoneTokenCache,
  type KeystoneCredentials,
  type KeystoneToken,
} from './keystone';

/** How the worker reaches one OpenStack region; the password only as a Vault reference. */
export interface OpenStackRegionConfig {
  authUrl: string;
  /** Keystone's region ID of the endpoints to use (default RegionOne). */
  region?: string;
  username: string;
  /** e.g. vault:secret/data/openstack/steward#password */
  passwordRef: string;
  project: string;
  userDomain?: string;
  projectDomain?: string;
  /** Endpoint interface from the catalog (default public). */
  interface?: 'public' | 'internal' | 'admin';
  timeoutMs?: number;
}

export interface RequestOptions {
  /** Nova's microversion, sent as `OpenStack-API-Version: compute <v>`. */
  microversion?: string;
  body?: unknown;
}

export class OpenStackClient {
  constructor(
    private readonly regions: Record<string, OpenStackRegionConfig>,
    private readonly resolveSecret: SecretResolver,
    readonly tokens = new KeystoneTokenCache(),
  ) {}

  /** Calls `path` on the region's `service` (catalog type, e.g. `compute`) and returns its JSON. */
  async request<T>(
    region: string,
    service: string,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const config = this.config(region);
    const credentials = keystoneCredentials(config);
    const password = () => this.resolveSecret(config.passwordRef);
    let token = await this.tokens.token(credentials, password);
    let res = await this.send(config, token, service, method, path, options);
    if (res.status === 401) {
      // Revoked or expired early (rotated keys): drop it and log in again, once.
      this.tokens.drop(credentials, token);
      token = await this.tokens.token(credentials, password);
      res = await this.send(config, token, service, method, path, options);
    }
    const text = await res.text();
    if (res.ok) return (text ? JSON.parse(text) : {}) as T;
    const what = `${service} ${method} ${path.split('?')[0]}`;
    const message = `${what} in ${region}: HTTP ${res.status}: ${errorMessage(text)}`;
    // A 401 to a fresh token: Keystone and the service disagree for now.
    if (res.status >= 500 || res.status === 401)
      throw ApplicationFailure.create({ type: OPENSTACK_FAILURES.unavailable, message });
    throw ApplicationFailure.create({
      type: res.status === 404 ? OPENSTACK_FAILURES.notFound : OPENSTACK_FAILURES.refused,
      message,
      nonRetryable: true,
      details: [{ status: res.status }],
    });
  }

  private config(region: string): OpenStackRegionConfig {
    const config = this.regions[region];
    if (!config)
      throw invalidInput(
        'region',
        `no OpenStack region "${region}" in this worker's configuration (known: ${Object.keys(this.regions).join(', ') || 'none'})`,
      );
    return config;
  }

  private async send(
    config: OpenStackRegionConfig,
    token: KeystoneToken,
    service: string,
    method: string,
    path: string,
    { microversion, body }: RequestOptions,
  ): Promise<Response> {
    const url = `${endpoint(config, token, service)}${path}`;
    const headers: Record<string, string> = {
      'X-Auth-Token': token.token,
      Accept: 'application/json',
    };
    if (microversion) headers['OpenStack-API-Version'] = `${service} ${microversion}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(config.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw ApplicationFailure.create({
        type: OPENSTACK_FAILURES.unavailable,
        message: `${service} ${method} ${url}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`,
      });
    }
  }
}

export function keystoneCredentials(config: OpenStackRegionConfig): KeystoneCredentials {
  return {
    authUrl: config.authUrl,
    username: config.username,
    userDomain: config.userDomain ?? 'Default',
    project: config.project,
    projectDomain: config.projectDomain ?? 'Default',
  };
}

/** The catalog's URL of `service` in the configured region and interface, without a trailing /. */
function endpoint(config: OpenStackRegionConfig, token: KeystoneToken, service: string): string {
  const region = config.region ?? 'RegionOne';
  const iface = config.interface ?? 'public';
  const found = token.catalog
    .find((s) => s.type === service)
    ?.endpoints.find((e) => e.region_id === region && e.interface === iface);
  if (!found)
    throw ApplicationFailure.create({
      type: OPENSTACK_FAILURES.refused,
      message: `Keystone's catalog has no ${iface} ${service} endpoint in region ${region}`,
      nonRetryable: true,
    });
  return found.url.replace(/\/$/, '');
}
