// Prebuilds the workflow bundle the built worker loads, so a worker start does not bundle (the
// interceptors are in it: a bundle without them would replay differently).
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../workers/workflow-interceptors';
import { WORKFLOW_BUNDLE_FILE } from '../../workers/workflow-code';

async function main(outDir: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  });
  const file = join(resolve(outDir), WORKFLOW_BUNDLE_FILE);
  await writeFile(file, code);
  console.log(`workflow bundle: ${file} (${Math.round(code.length / 1024)} KiB)`);
}

main(process.argv[2] ?? 'dist').catch((err) => {
  console.error(err);
  process.exit(1);
});
