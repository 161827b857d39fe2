// Name resolution through the configured DNS servers (the site resolver that holds BMCs' DDNS
// names), not the worker's /etc/resolv.conf.
import { ApplicationFailure } from '@temporalio/common';
import { Resolver } from 'node:dns/promises';
import { DNS_FAILURES, invalidInput } from '../../workflows/api';
import { DEFAULT_DDNS_PATTERN, ddnsName } from '../../workflows/policy/bmc-address';

export interface DnsDeps {
  /** `host` or `host:port`; default: the worker's system resolvers. */
  servers?: string[];
  timeoutMs?: number;
  tries?: number;
  /** BMC DDNS names: `{serial}` is replaced by the host's serial. */
  ddnsPattern?: string;
}

export interface ResolveNameResult {
  name: string;
  /** IPv4 addresses first, then IPv6. */
  addresses: string[];
  servers: string[];
}

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA']);

export function dnsActivities({
  servers,
  timeoutMs = 2_000,
  tries = 2,
  ddnsPattern = DEFAULT_DDNS_PATTERN,
}: DnsDeps = {}) {
  const resolver = new Resolver({ timeout: timeoutMs, tries });
  if (servers?.length) resolver.setServers(servers);

  async function resolveName({ name }: { name: string }): Promise<ResolveNameResult> {
    if (!name?.trim()) throw invalidInput('name', 'is required');
    const lookups = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    const addresses = lookups.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const used = resolver.getServers();
    if (addresses.length > 0) return { name, addresses, servers: used };
    const errors = lookups.map((r) => (r as PromiseRejectedResult).reason as NodeJS.ErrnoException);
    const notFound = errors.every((e) => NOT_FOUND.has(e.code ?? ''));
    return Promise.reject(
      ApplicationFailure.create({
        type: notFound ? DNS_FAILURES.notFound : DNS_FAILURES.failed,
        message: notFound
          ? `${name}: no such name at ${used.join(', ')}`
          : `${name}: lookup at ${used.join(', ')} failed: ${errors.map((e) => e.code).join(', ')}`,
        nonRetryable: notFound,
        details: [{ name, servers: used, codes: errors.map((e) => e.code) }],
      }),
    );
  }

  return {
    resolveName,
    /** The DDNS name of a BMC by its host's serial (the site's pattern), resolved. */
    resolveBmcName({ serial }: { serial: string }): Promise<ResolveNameResult> {
      return resolveName({ name: ddnsName(ddnsPattern, serial) });
    },
  };
}
