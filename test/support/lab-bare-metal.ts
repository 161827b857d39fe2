// The lab's bare metal as an end-to-end test sees it: NetBox's API with the lab's token, each
// BMC's own log of power and boot commands, and the secrets a run must never write down.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { bmcCredentials, readBmcLog } from '../../lab';
import type { TestLab } from './lab';

/** NetBox's API as the test sees it; after its database was down NetBox answers 500 once per
 * stale connection it held, so a 5xx is asked again. */
export async function netboxGet<T>(lab: TestLab, path: string): Promise<T> {
  const { url, tokenFile } = lab.netbox!;
  const token = readFileSync(tokenFile, 'utf8').trim();
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${url}/api/${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (res.status >= 500 && attempt < 5) continue;
    assert.ok(res.ok, `GET ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }
}

/** A device's NetBox status and journal. */
export async function netboxDevice(lab: TestLab, name: string) {
  const { results } = await netboxGet<{
    results: { id: number; status: { value: string } }[];
  }>(lab, `dcim/devices/?name=${name}`);
  const journal = await netboxGet<{
    results: { kind: { value: string }; comments: string }[];
  }>(
    lab,
    `extras/journal-entries/?assigned_object_type=dcim.device&assigned_object_id=${results[0].id}`,
  );
  return { status: results[0].status.value, journal: journal.results };
}

/** The power and boot-device commands `host`'s BMC received, from its own log. */
export const powerCommands = (lab: TestLab, host: string) =>
  readBmcLog(lab.stateDir, host)
    .map((c) => c.command)
    .filter((c) => c.startsWith('set power') || c.startsWith('set boot'));

/** The lab's secrets that Steward handles: a BMC password, NetBox's token, the AppRole secret ID. */
export const labSecrets = (lab: TestLab): string[] => [
  bmcCredentials('worker-1').password,
  readFileSync(lab.netbox!.tokenFile, 'utf8').trim(),
  readFileSync(lab.vault!.secretIdFile, 'utf8').trim(),
];

/** Every string and payload (bytes read as UTF-8) in a history, joined. */
function text(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return Object.values(value).map(text).join('\n');
  return '';
}

/** Asserts that no workflow history on the server holds any of `secrets`; returns how many it read. */
export async function assertNoSecretInHistories(
  client: Client,
  secrets: string[],
): Promise<number> {
  let histories = 0;
  for await (const wf of client.workflow.list()) {
    const history = text(await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory());
    for (const secret of secrets)
      assert.ok(!history.includes(secret), `a secret in ${wf.workflowId}`);
    histories++;
  }
  return histories;
}
