// Worker Versioning for the workflows that never end (or hold nothing across tasks): they move to
// the deployment's current build at their next task (AUTO_UPGRADE); every other workflow keeps the
// worker's default, PINNED. Said only on a versioned worker: an unversioned one (a test's, or
// `temporal.deployment.versioning: false`) fails any task that names a behaviour.
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';

export function autoUpgrade<A extends unknown[], R>(workflow: (...args: A) => Promise<R>): void {
  setWorkflowOptions(
    // An unversioned worker reports a version too (its build ID), but with no deployment name.
    () =>
      workflowInfo().currentDeploymentVersion?.deploymentName
        ? { versioningBehavior: 'AUTO_UPGRADE' }
        : {},
    workflow,
  );
}
