// How the worker and the CLI reach Temporal: Temporal's own client configuration
// (@temporalio/envconfig: a profile of the TOML config file, then the TEMPORAL_* variables the
// `temporal` CLI reads) over the defaults in Steward's config file. The API key comes only from
// Temporal's configuration, never from Steward's file. Certificates are read at each connection,
// so a new connection presents the files as they are now; the worker reconnects when they change.
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import {
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ClientConfigTLS,
  type ClientConnectConfig,
} from '@temporalio/envconfig';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** What Steward's config file may say about Temporal: defaults under Temporal's configuration. */
export interface TemporalDefaults {
  address?: string;
  namespace?: string;
  /** The profile of Temporal's TOML file, under TEMPORAL_PROFILE; `default` if neither. */
  profile?: string;
  tls?: { cert?: string; key?: string; ca?: string; serverName?: string };
}

/** The profile in force: the TOML profile and TEMPORAL_* variables over Steward's defaults. */
export function temporalProfile(
  defaults: TemporalDefaults,
  env: NodeJS.ProcessEnv = process.env,
): ClientConfigProfile & { address: string; namespace: string } {
  const standard = loadClientConfigProfile({
    profile: env.TEMPORAL_PROFILE || defaults.profile,
    overrideEnvVars: setOnly(env),
  });
  return {
    ...standard,
    address: standard.address ?? defaults.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: standard.namespace ?? defaults.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    tls: mergeTls(fileTls(defaults.tls), standard.tls),
  };
}

function fileTls(tls: TemporalDefaults['tls']): ClientConfigTLS | undefined {
  if (!tls) return undefined;
  const source = (path?: string) => (path ? { path } : undefined);
  return {
    serverName: tls.serverName,
    clientCert: source(tls.cert),
    clientKey: source(tls.key),
    serverCACert: source(tls.ca),
  };
}

/** Field by field: what Temporal's configuration sets wins over Steward's file. */
function mergeTls(
  base: ClientConfigTLS | undefined,
  over: ClientConfigTLS | undefined,
): ClientConfigTLS | undefined {
  if (!base || !over) return over ?? base;
  const set = Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined));
  return { ...base, ...set };
}

/** An empty variable counts as unset, as everywhere else in Steward's configuration. */
const setOnly = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => !!e[1]));

/** Connection options for the profile in force; certificate and key files are read now. */
export function connectionOptions(
  defaults: TemporalDefaults,
  env: NodeJS.ProcessEnv = process.env,
): ClientConnectConfig['connectionOptions'] & { address: string } {
  const profile = temporalProfile(defaults, env);
  const { connectionOptions } = toClientOptions(profile);
  return { ...connectionOptions, address: profile.address };
}

/** The certificate, key and CA files the profile in force reads (inline data is not watched). */
export function certificateFiles(
  defaults: TemporalDefaults,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const tls = temporalProfile(defaults, env).tls;
  if (!tls || tls.disabled) return [];
  return [tls.clientCert, tls.clientKey, tls.serverCACert].flatMap((s) =>
    s && 'path' in s ? [s.path] : [],
  );
}

/**
 * Calls `changed` once after any of `files` changes (stat polling, which follows the symlinks a
 * Kubernetes Secret volume swaps; a certificate and its key written one after the other give one
 * call). Returns the function that stops watching.
 */
export function watchFiles(files: string[], changed: () => void, intervalMs = 10_000): () => void {
  let pending: NodeJS.Timeout | undefined;
  const onChange = (now: Stats, before: Stats) => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino) return;
    clearTimeout(pending);
    pending = setTimeout(changed, intervalMs).unref();
  };
  for (const file of files) watchFile(file, { interval: intervalMs, persistent: false }, onChange);
  return () => {
    clearTimeout(pending);
    for (const file of files) unwatchFile(file, onChange);
  };
}
