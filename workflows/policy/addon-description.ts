// One line per add-on step, for plans, details and results.
import type { AddonStep } from './addon-steps';

export function describeAddonStep(step: AddonStep): string {
  switch (step.kind) {
    case 'tigera-operator-migration':
      return 'migrate the manifest-based Calico in kube-system to the Tigera operator';
    case 'snapshot-controller':
      return `snapshot-controller ${step.version}${step.removeKubeSystemDeployment ? ' (old kube-system Deployment removed first)' : ''}`;
    case 'monitoring-crds':
      return `monitoring CRDs of chart major ${step.major} (prometheus-operator ${step.operatorVersion})`;
  }
}
