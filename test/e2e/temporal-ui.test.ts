// The Temporal UI as a trigger: a person fills the dev server's Start Workflow form in a real
// browser (Debian's Chromium), and Steward's workflow does the rest.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { WorkflowFailedError } from '@temporalio/client';
import { loadConfig } from '../../workers/config';
import { TASK_QUEUE, type DrainNodeResult } from '../../workflows/api';
import { launchChromium } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

const ARTIFACTS = join(__dirname, '../../test-results/temporal-ui');

let stack: TestStack;
let browser: Browser;
let uiUrl: string;

before(
  async () => {
    stack = await startTestStack('ui-lab.yaml');
    await stack.lab.kubectl('uncordon', 'spare-1');
    await stack.lab.kubectl('uncordon', 'spare-2');
    uiUrl = loadConfig({ STEWARD_CONFIG: stack.configPath }).temporal.uiUrl;
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  },
  { timeout: 300_000 },
);
after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Fills the Start Workflow form as a person would and submits it. */
async function startFromForm(
  page: Page,
  form: { workflowId: string; workflowType: string; input: string },
): Promise<void> {
  await page.goto(`${uiUrl}/namespaces/default/workflows/start-workflow`);
  await page.locator('#workflowId').fill(form.workflowId);
  await page.locator('#taskQueue').fill(TASK_QUEUE);
  await page.locator('#workflowType').fill(form.workflowType);
  await page.locator('[aria-label="Data"]').click();
  await page.keyboard.insertText(form.input);
  // Leaving the editor is what commits its text to the form (the UI reformats the JSON then).
  await page.locator('#workflowType').click();
  await page.getByTestId('start-workflow-button').click();
  await page.getByText('Workflow started successfully').first().waitFor({ timeout: 30_000 });
}

const podsOn = async (node: string) =>
  (
    await stack.lab.kubectl(
      'get',
      'pods',
      '--field-selector',
      `spec.nodeName=${node}`,
      '-o',
      'name',
    )
  )
    .split('\n')
    .filter(Boolean);

describe('the Temporal UI starts Steward operations', () => {
  it('a drain started from the Start Workflow form runs to completion, and the UI says so', async () => {
    assert.equal((await podsOn('ui-node')).length, 2, 'the web pods start on ui-node');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const workflowId = 'drain/lab/ui-node';
    await startFromForm(page, {
      workflowId,
      workflowType: 'drainNode',
      input: '{"cluster": "lab", "node": "ui-node"}',
    });

    const result: DrainNodeResult = await stack.client.workflow.getHandle(workflowId).result();
    assert.equal(result.outcome, 'drained');
    assert.deepEqual(await podsOn('ui-node'), []);

    await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByText('Completed', { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'drain-completed.png'), fullPage: true });
    await page.close();
  });

  it('a malformed input fails at once, and the UI shows the field and the reason', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const workflowId = 'drain/lab/spare-1';
    await startFromForm(page, {
      workflowId,
      workflowType: 'drainNode',
      input: '{"cluster": "lab", "node": "spare-1", "timeoutSeconds": 0}',
    });

    await assert.rejects(
      stack.client.workflow.getHandle(workflowId).result(),
      (err: unknown) =>
        err instanceof WorkflowFailedError &&
        /timeoutSeconds: must be greater than 0/.test(String(err.cause?.message)),
    );
    await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page
      .getByText(/timeoutSeconds: must be greater than 0/)
      .first()
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'bad-input.png'), fullPage: true });
    const spare = JSON.parse(await stack.lab.kubectl('get', 'node', 'spare-1', '-o', 'json'));
    assert.notEqual(spare.spec.unschedulable, true, 'nothing changed: spare-1 is not cordoned');
    await page.close();
  });
});
