// Where the worker gets its workflow code: from the build, the bundle `npm run build` made (no
// bundling at start); from source (tsx), bundled at start from workflows/ with the interceptors,
// unless STEWARD_WORKFLOW_BUNDLE names a prebuilt one (the test command builds one for its workers).
import { join } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from './workflow-interceptors';

/** The prebuilt bundle's file name at the build's root (dist/). */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

/** Compiled JavaScript runs from the build; TypeScript runs from source through tsx. */
export const RUNS_FROM_BUILD = __filename.endsWith('.js');

export function workflowCode(): Pick<
  WorkerOptions,
  'workflowBundle' | 'workflowsPath' | 'interceptors'
> {
  const prebuilt = process.env.STEWARD_WORKFLOW_BUNDLE;
  if (RUNS_FROM_BUILD || prebuilt) {
    return {
      workflowBundle: { codePath: prebuilt ?? join(__dirname, '..', WORKFLOW_BUNDLE_FILE) },
    };
  }
  return {
    workflowsPath: require.resolve('../workflows'),
    interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
  };
}
