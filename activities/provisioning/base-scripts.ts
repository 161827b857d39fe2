// The base script a reinstalled host's installer runs, published where the installer fetches it at
// PXE boot (`<provisioning URL>/<host>/base-script`). Steward's template for `standard`, an empty
// script for `none`, for `custom` an operator's file from the worker's configured scripts directory
// only: whoever can start a reinstall or edit NetBox must not get the worker to publish its secrets.
import { createHash } from 'node:crypto';
import { open, readFile, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { invalidInput, type DeploymentOption } from '../../workflows/api';

const STANDARD_TEMPLATE = join(__dirname, 'standard-base-script.sh');

export interface BaseScriptRequest {
  host: string;
  deployment: DeploymentOption;
  customScript?: string;
}

export interface BaseScriptFacts {
  bytes: number;
  sha256: string;
}

const facts = (script: string): BaseScriptFacts => ({
  bytes: Buffer.byteLength(script),
  sha256: createHash('sha256').update(script).digest('hex'),
});

/** A base script is a script, not an image: larger than this is a mistake. */
export const MAX_CUSTOM_SCRIPT_BYTES = 1024 * 1024;

async function baseScript(
  { host, deployment, customScript }: BaseScriptRequest,
  scriptsDir: string | undefined,
): Promise<string> {
  if (deployment === 'none') return '';
  if (deployment === 'standard') {
    return (await readFile(STANDARD_TEMPLATE, 'utf8')).replaceAll('{{host}}', host);
  }
  if (!customScript) throw invalidInput('customScript', 'is required for deployment custom');
  return readCustomScript(customScript, scriptsDir);
}

/** The custom script's text: a regular file whose real path is inside `scriptsDir`, size-capped. */
async function readCustomScript(path: string, scriptsDir: string | undefined): Promise<string> {
  const refuse = (reason: string) => invalidInput('customScript', `${path}: ${reason}`);
  if (!scriptsDir) throw refuse('custom scripts are off: no provisioning.scriptsDir on the worker');
  const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  const [real, dir] = await Promise.all([
    realpath(path).catch((err: unknown) => {
      throw refuse(`cannot read it on the worker: ${code(err)}`);
    }),
    realpath(scriptsDir).catch((err: unknown) => {
      throw refuse(`provisioning.scriptsDir ${scriptsDir}: ${code(err)}`);
    }),
  ]);
  if (!real.startsWith(dir + sep))
    throw refuse(`not inside provisioning.scriptsDir (${scriptsDir})`);
  // Checked on the opened file, so a swap between the check and the read cannot pass.
  const file = await open(real, 'r');
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw refuse('not a regular file');
    if (stat.size > MAX_CUSTOM_SCRIPT_BYTES) {
      throw refuse(`${stat.size} bytes, more than ${MAX_CUSTOM_SCRIPT_BYTES}`);
    }
    return await file.readFile('utf8');
  } finally {
    await file.close();
  }
}

export function baseScriptActivities(provisioningUrl: string | undefined, scriptsDir?: string) {
  const urlOf = (host: string) => {
    if (!provisioningUrl) {
      throw ApplicationFailure.nonRetryable(
        'no provisioning endpoint is configured for this worker',
        'NotConfigured',
      );
    }
    return `${provisioningUrl.replace(/\/$/, '')}/${encodeURIComponent(host)}/base-script`;
  };

  return {
    /** The script the request would publish; refuses a custom script that cannot be read. */
    async checkBaseScript(request: BaseScriptRequest): Promise<BaseScriptFacts> {
      return facts(await baseScript(request, scriptsDir));
    },

    /** PUTs the script unless the endpoint already serves exactly it. */
    async publishBaseScript(
      request: BaseScriptRequest,
    ): Promise<BaseScriptFacts & { url: string; changed: boolean }> {
      const script = await baseScript(request, scriptsDir);
      const url = urlOf(request.host);
      const current = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (current.ok && (await current.text()) === script) {
        return { ...facts(script), url, changed: false };
      }
      const put = await fetch(url, {
        method: 'PUT',
        body: script,
        signal: AbortSignal.timeout(10_000),
      });
      if (!put.ok) {
        const message = `PUT ${url}: HTTP ${put.status} ${(await put.text()).trim().slice(0, 200)}`;
        // 4xx will not change by itself; 5xx may.
        if (put.status < 500) throw ApplicationFailure.nonRetryable(message, 'PublishRefused');
        throw ApplicationFailure.retryable(message, 'PublishFailed');
      }
      return { ...facts(script), url, changed: true };
    },
  };
}
