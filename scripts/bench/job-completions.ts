// When each upgrade Job turned Complete, as a watch from the benchmark sees it (ms clock), keyed
// `<node>@<version>` from the Job's labels: the moment the Job controller has done its part.
import { KubeConfig, Watch, type V1Job } from '@kubernetes/client-node';
import { UPGRADE_NAMESPACE } from '../../activities/kubernetes/upgrade-jobs';
import { UPGRADE_LABELS } from '../../lab';

export interface JobCompletions {
  /** First time each Job was seen Complete. */
  completedAt: Map<string, number>;
  stop(): void;
}

export async function watchJobCompletions(kubeconfigPath: string): Promise<JobCompletions> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const completedAt = new Map<string, number>();
  let stopped = false;
  let abort: AbortController | undefined;
  const seen = (_type: string, job: V1Job) => {
    const labels = job.metadata?.labels ?? {};
    const key = `${labels[UPGRADE_LABELS.node]}@${labels[UPGRADE_LABELS.version]}`;
    const complete = job.status?.conditions?.some(
      (c) => c.type === 'Complete' && c.status === 'True',
    );
    if (complete && !completedAt.has(key)) completedAt.set(key, Date.now());
  };
  const start = async (): Promise<void> => {
    // The server ends a watch after a while; start another (a Job already seen keeps its time).
    abort = await new Watch(kc).watch(
      `/apis/batch/v1/namespaces/${UPGRADE_NAMESPACE}/jobs`,
      {},
      seen,
      () => {
        if (!stopped) start().catch((err: Error) => console.error(`job watch: ${err.message}`));
      },
    );
  };
  await start();
  return {
    completedAt,
    stop: () => {
      stopped = true;
      abort?.abort();
    },
  };
}
