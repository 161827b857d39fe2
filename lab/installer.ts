// The lab's installer: what a host's PXE boot runs. It fetches the base script Steward published
// for the host and records what it used in the host's install log.
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { bmcDir, type InstallRecord } from './bmc-state';

export const baseScriptUrl = (provisioningUrl: string, host: string) =>
  `${provisioningUrl}/${host}/base-script`;

/** Fetches and records the host's base script; anything but 200 is an install that failed. */
export async function install(
  stateDir: string,
  provisioningUrl: string,
  host: string,
  boot: number,
): Promise<InstallRecord> {
  const url = baseScriptUrl(provisioningUrl, host);
  const base = { at: new Date().toISOString(), host, boot, url };
  let record: InstallRecord;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const text = await res.text();
    record = res.ok
      ? {
          ...base,
          status: res.status,
          script: text,
          sha256: createHash('sha256').update(text).digest('hex'),
        }
      : { ...base, status: res.status, error: `GET ${url}: HTTP ${res.status}` };
  } catch (err) {
    record = { ...base, status: 0, error: `GET ${url}: ${(err as Error).message}` };
  }
  appendFileSync(join(bmcDir(stateDir, host), 'install.log'), JSON.stringify(record) + '\n');
  return record;
}
