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
import { temporal } from '@temporalio/proto';
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

export const TEST_SERVER_BIN = join(__dirname, '../../.tools/temporal/bin/temporal-test-server');

/**
 * The time-skipping test server for the calling test file: timers fire as soon as the workflows
 * wait only for them (awaiting a result), or when the test moves time with `sleep`.
 */
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
    // Unlike the dev server, the test server takes Steward's search attributes only this way.
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        Object.values(searchAttributes).map((k) => [
          k.name,
          temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
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

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

function bundle(workflowInterceptorModules: string[]): Promise<WorkflowBundleWithSourceMap> {
  const key = workflowInterceptorModules.join(',');
  if (!bundles.has(key)) {
    const workflowsPath = require.resolve('../../workflows');
    bundles.set(
      key,
      bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quiet }),
    );
  }
  return bundles.get(key)!;
}

/** The workflows alone: their tests' in-memory activities need not answer notifications. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundle([]);
}

/** The workflows as the Steward worker runs them, with its interceptors (replay, notifications). */
export function workerBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundle(WORKFLOW_INTERCEPTOR_MODULES);
}
