// What every command needs: the configuration and a Temporal client.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type StewardConfig } from '../workers/config';
import { connectionOptions } from '../workers/temporal-connection';
import { CliError, EXIT } from './exit-codes';

export const REPO_ROOT = resolve(__dirname, '../..');
export const DEFAULT_STATE_DIR = process.env.STEWARD_STATE_DIR ?? resolve(REPO_ROOT, '.steward');

/** STEWARD_CONFIG, else the config that `steward up` wrote, else defaults and environment. */
export function cliConfig(): StewardConfig {
  const written = resolve(DEFAULT_STATE_DIR, 'config.yaml');
  const env = { ...process.env };
  if (!env.STEWARD_CONFIG && existsSync(written)) env.STEWARD_CONFIG = written;
  return loadConfig(env);
}

export async function connect(config: StewardConfig): Promise<Client> {
  try {
    const connection = await Connection.connect({
      ...connectionOptions(config.temporal),
      connectTimeout: '5 seconds',
    });
    return new Client({ connection, namespace: config.temporal.namespace });
  } catch (err) {
    throw new CliError(
      `cannot reach Temporal at ${config.temporal.address}: ${(err as Error).message}`,
      EXIT.unreachable,
    );
  }
}

/** The one cluster configured, or the one named. */
export function pickCluster(config: StewardConfig, named?: string): string {
  if (named) return named;
  const names = Object.keys(config.clusters);
  if (names.length === 1) return names[0];
  throw new CliError(
    `--cluster: required when ${names.length === 0 ? 'no cluster is' : 'several clusters are'} configured${names.length ? ` (${names.join(', ')})` : ''}`,
    EXIT.usage,
  );
}

export const uiLink = (config: StewardConfig, workflowId: string) =>
  `${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`;
