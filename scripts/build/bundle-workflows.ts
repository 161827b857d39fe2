// Prebuilds the workflow bundle the built worker loads, so a worker start does not bundle (the
// interceptors are in it: a bundle without them would replay differently), and writes the build
// ID that names it for Worker Versioning (`<version>+<commit>`).
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../workers/workflow-interceptors';
import { WORKFLOW_BUNDLE_FILE } from '../../workers/workflow-code';
import { BUILD_ID_FILE, sourceBuildId } from '../../workers/versioning';

async function main(outDir: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  });
  const file = join(resolve(outDir), WORKFLOW_BUNDLE_FILE);
  await writeFile(file, code);
  console.log(`workflow bundle: ${file} (${Math.round(code.length / 1024)} KiB)`);
  const build = sourceBuildId();
  await writeFile(join(resolve(outDir), BUILD_ID_FILE), `${build}\n`);
  console.log(`build ID: ${build}`);
}

main(process.argv[2] ?? 'dist').catch((err) => {
  console.error(err);
  process.exit(1);
});
