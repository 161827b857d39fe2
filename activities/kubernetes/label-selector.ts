// Kubernetes label-selector matching (matchLabels and matchExpressions).
import type { V1LabelSelector } from '@kubernetes/client-node';

export function selectorMatches(
  selector: V1LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  const has = (key: string) => Object.hasOwn(labels, key);
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabels &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return has(key) && values.includes(labels[key]);
        case 'NotIn':
          return !has(key) || !values.includes(labels[key]);
        case 'Exists':
          return has(key);
        case 'DoesNotExist':
          return !has(key);
        default:
          return false;
      }
    })
  );
}
