// How operators start operations besides the CLI: the Temporal UI's Start Workflow form, filled
// in a real browser (Debian's Chromium), and Temporal Schedules made by `steward schedule`.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { WorkflowFailedError } from '@temporalio/client';
import { loadConfig } from '../../workers/config';
import { TASK_QUEUE, type DrainNodeResult } from '../../workflows/api';
import { waitFor } from '../../lab/wait';
import { launchChromium } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

const ARTIFACTS = join(__dirname, '../../test-results/temporal-ui');
/** The screenshots docs/operations/README.md shows, taken anew by each run. */
// A run's screenshots go with its results; docs/images holds copies taken by hand from one of them.
const SCREENSHOTS = join(__dirname, '../../test-results/screenshots');

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

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // The UI is a large single-page app; on a loaded two-core machine it takes a while to render.
  page.setDefaultTimeout(120_000);
  return page;
}

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
  await page.getByText('Workflow started successfully').first().waitFor();
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
    const page = await newPage();
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
    await page.getByText('Completed', { exact: true }).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'drain-completed.png'), fullPage: true });
    await page.close();
  });

  it('a malformed input fails at once, and the UI shows the field and the reason', async () => {
    const page = await newPage();
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
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'bad-input.png'), fullPage: true });
    const spare = JSON.parse(await stack.lab.kubectl('get', 'node', 'spare-1', '-o', 'json'));
    assert.notEqual(spare.spec.unschedulable, true, 'nothing changed: spare-1 is not cordoned');
    await page.close();
  });
});

describe('the Temporal UI reads as an operations console', () => {
  it("a CLI drain's page shows its summary and details, and its timeline says what each activity did", async () => {
    // A node with web pods: a spare once the form's drain above moved them there.
    let node = 'ui-node';
    for (const spare of ['spare-1', 'spare-2']) if ((await podsOn(spare)).length > 0) node = spare;
    const workflowId = `drain/lab/${node}`;
    const drained = await stack.steward('drain', node, '--detach');
    assert.equal(drained.code, 0, drained.stderr);
    const result: DrainNodeResult = await stack.client.workflow.getHandle(workflowId).result();
    assert.equal(result.outcome, 'drained');
    const evicted = result.evicted.length;
    assert.ok(evicted > 0);

    const page = await newPage();
    const url = `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`;
    try {
      // The static summary and details the CLI set, on the workflow's Summary & Details tab.
      await page.goto(url);
      await page.getByText('Completed', { exact: true }).first().waitFor();
      await page.locator('#user-metadata-tab').click();
      // The UI renders each as Markdown in a frame of its own.
      await page
        .frameLocator('#user-metadata-summary')
        .getByText(new RegExp(`Drain node ${node} in lab \\(timeout \\d+s\\)`))
        .waitFor();
      await page
        .frameLocator('#user-metadata-details')
        .getByText(/Started by the steward CLI/)
        .waitFor();
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'temporal-ui-summary.png'), fullPage: true });
      // The timeline names what each activity did, not only its type.
      await page.locator('#timeline-tab').click();
      await page.getByText(`drain ${node}: evict ${evicted} pod`).first().waitFor();
      await page.screenshot({
        path: join(SCREENSHOTS, 'temporal-ui-timeline.png'),
        fullPage: true,
      });
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, 'summaries-failed.png'), fullPage: true });
      writeFileSync(join(ARTIFACTS, 'summaries-failed.html'), await page.content());
      throw err;
    } finally {
      await page.close();
    }
    assert.equal((await stack.steward('uncordon', node)).code, 0);
  });
});

describe('steward schedule', () => {
  const ID = 'drain-plan/lab/ui-node';
  const EVERY_MS = 2000;
  const describeSchedule = () => stack.client.schedule.getHandle(ID).describe();

  it('refuses uncordon, naming it, and creates nothing', async () => {
    const { code, stderr } = await stack.steward(
      'schedule',
      'create',
      'uncordon',
      '--input',
      '{"cluster":"lab","node":"ui-node"}',
      '--every',
      '2s',
    );
    assert.equal(code, 2, stderr);
    assert.match(stderr, /OPERATION: uncordon may not run on a schedule/);
    assert.match((await stack.steward('schedule', 'list')).stdout, /no schedules/);
  });

  it("puts an operation that disrupts the cluster on a schedule: the cluster's guard keeps its runs apart", async () => {
    const created = await stack.steward(
      'schedule',
      'create',
      'k8s-upgrade',
      '--input',
      '{"cluster":"lab","target":"1.33"}',
      '--cron',
      '0 3 * * 6',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /schedule k8s-upgrade\/lab created: cron "0 3 \* \* 6"/);
    const schedule = await stack.client.schedule.getHandle('k8s-upgrade/lab').describe();
    assert.equal(
      schedule.action.type === 'startWorkflow' && schedule.action.workflowType,
      'kubernetesUpgrade',
    );
    assert.equal((await stack.steward('schedule', 'delete', 'k8s-upgrade/lab')).code, 0);
  });

  it('starts runs at every interval; paused it starts none; resumed it starts again', async () => {
    const created = await stack.steward(
      'schedule',
      'create',
      'drain-plan',
      '--input',
      '{"cluster":"lab","node":"ui-node"}',
      '--every',
      '2s',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /schedule drain-plan\/lab\/ui-node created: every 2s/);

    await waitFor(
      'three scheduled runs',
      async () => (await describeSchedule()).info.recentActions.length >= 3,
      { timeoutMs: 60_000 },
    );
    const actions = (await describeSchedule()).info.recentActions;
    const times = actions.map((a) => a.scheduledAt.getTime());
    // Each run starts at one of the Schedule's ticks; a tick that comes while the last run is still
    // going is skipped (overlap skip), so two runs may be more than one interval apart.
    for (let i = 1; i < times.length; i++) {
      const gap = times[i] - times[i - 1];
      assert.ok(gap > 0 && gap % EVERY_MS === 0, `runs ${gap} ms apart`);
    }
    for (const action of actions) {
      assert.ok(action.takenAt.getTime() >= action.scheduledAt.getTime());
      const run = action.action.type === 'startWorkflow' ? action.action.workflow : undefined;
      assert.ok(run && run.workflowId.startsWith(`${ID}-`), run?.workflowId);
      await stack.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result();
      const shown = await stack.steward('status', run.workflowId);
      assert.equal(shown.code, 0, shown.stderr);
    }
    assert.match(
      (await stack.steward('schedule', 'list')).stdout,
      /drain-plan\/lab\/ui-node {2}planDrain {2}active/,
    );

    assert.equal((await stack.steward('schedule', 'pause', ID, '--note', 'test')).code, 0);
    const pausedAt = (await describeSchedule()).info.numActionsTaken;
    await sleep(3 * EVERY_MS);
    assert.equal((await describeSchedule()).info.numActionsTaken, pausedAt, 'no run while paused');
    assert.match((await stack.steward('schedule', 'list')).stdout, /planDrain {2}paused/);

    assert.equal((await stack.steward('schedule', 'resume', ID)).code, 0);
    await waitFor(
      'a run after resume',
      async () => (await describeSchedule()).info.numActionsTaken > pausedAt,
      { timeoutMs: 30_000 },
    );

    assert.equal((await stack.steward('schedule', 'delete', ID)).code, 0);
    assert.match((await stack.steward('schedule', 'list')).stdout, /no schedules/);
    assert.equal((await stack.steward('schedule', 'pause', ID)).code, 4);
  });
});
