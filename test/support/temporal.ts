// A Temporal dev server for workflow tests (the real one, from the project's tools folder), and a
// workflow bundle built once per test file.
import { join } from 'node:path';
import { after, before } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { searchAttributes } from '../../workflows/api';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../workers/workflow-interceptors';

export const TEMPORAL_BIN = join(__dirname, '../../.tools/temporal/bin/temporal');

let runtimeInstalled = false;

export function startTestServer(): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: TEMPORAL_BIN },
      searchAttributes: Object.values(searchAttributes),
      log: { format: 'pretty', level: 'error' },
    },
  });
}

/** A dev server for the calling test file: started before its tests, torn down after them. */
export function useTestServer(): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    env = await startTestServer();
  });
  after(async () => {
    await env?.teardown();
  });
  return () => env!;
}

const TEST_SERVER_BIN = join(__dirname, '../../.tools/temporal/bin/temporal-test-server');

/** A time-skipping test server for the calling test file: timers fire as soon as nothing else runs. */
export function useTimeSkippingServer(): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    if (!runtimeInstalled) {
      Runtime.install({ logger: new DefaultLogger('WARN') });
      runtimeInstalled = true;
    }
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: TEST_SERVER_BIN } },
    });
  });
  after(async () => {
    await env?.teardown();
  });
  return () => env!;
}

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const STEWARD_WORKFLOWS = require.resolve('../../workflows');
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

function bundle(
  workflowsPath: string,
  workflowInterceptorModules: string[],
): Promise<WorkflowBundleWithSourceMap> {
  const key = [workflowsPath, ...workflowInterceptorModules].join(',');
  if (!bundles.has(key)) {
    bundles.set(
      key,
      bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quiet }),
    );
  }
  return bundles.get(key)!;
}

/**
 * The workflows alone (Steward's, or a test's own entry): their tests' in-memory activities need
 * not answer notifications.
 */
export function workflowBundle(
  workflowsPath = STEWARD_WORKFLOWS,
): Promise<WorkflowBundleWithSourceMap> {
  return bundle(workflowsPath, []);
}

/** The workflows as the Steward worker runs them, with its interceptors (replay, notifications). */
export function workerBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundle(STEWARD_WORKFLOWS, WORKFLOW_INTERCEPTOR_MODULES);
}
