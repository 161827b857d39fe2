// The base script a reinstalled host's installer runs, published where the installer fetches it at
// PXE boot (`<provisioning URL>/<host>/base-script`). Steward's template for `standard`, an empty
// script for `none`, the operator's file on the worker for `custom`.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

async function baseScript({ host, deployment, customScript }: BaseScriptRequest): Promise<string> {
  if (deployment === 'none') return '';
  if (deployment === 'standard') {
    return (await readFile(STANDARD_TEMPLATE, 'utf8')).replaceAll('{{host}}', host);
  }
  if (!customScript) throw invalidInput('customScript', 'is required for deployment custom');
  try {
    return await readFile(customScript, 'utf8');
  } catch (err) {
    throw invalidInput(
      'customScript',
      `cannot read ${customScript} on the worker: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

export function baseScriptActivities(provisioningUrl: string | undefined) {
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
      return facts(await baseScript(request));
    },

    /** PUTs the script unless the endpoint already serves exactly it. */
    async publishBaseScript(
      request: BaseScriptRequest,
    ): Promise<BaseScriptFacts & { url: string; changed: boolean }> {
      const script = await baseScript(request);
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
