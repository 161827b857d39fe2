// Which kube-prometheus-stack chart version runs: the chart labels its Deployments (the
// prometheus-operator's among them) `chart: kube-prometheus-stack-<version>`, newer charts
// `helm.sh/chart`, in whatever namespace it was installed.
import type { AppsV1Api } from '@kubernetes/client-node';
import { parseChartVersion } from '../../workflows/policy/addon-steps';

const CHART_LABELS = ['helm.sh/chart', 'chart'];
const CHART = /^kube-prometheus-stack-(\d+\.\d+\.\d+)$/;

/** The chart version, the highest if several releases run; undefined when none does. */
export async function deployedMonitoringChart(apps: AppsV1Api): Promise<string | undefined> {
  const lists = await Promise.all(
    CHART_LABELS.map((labelSelector) => apps.listDeploymentForAllNamespaces({ labelSelector })),
  );
  const versions = lists
    .flatMap((list) => list.items)
    .flatMap((d) => CHART_LABELS.map((label) => CHART.exec(d.metadata?.labels?.[label] ?? '')?.[1]))
    .filter((v): v is string => v !== undefined);
  const rank = (v: string) => parseChartVersion(v)!.reduce((sum, part) => sum * 1e6 + part, 0);
  return versions.sort((a, b) => rank(a) - rank(b)).at(-1);
}
