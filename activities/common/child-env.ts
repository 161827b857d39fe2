// The environment of the tools the activities run (ipmitool, helm, ceph): what they need to run
// and reach their servers, none of the worker's own settings and secrets (TEMPORAL_API_KEY,
// STEWARD_WEBHOOK_URL, VAULT_*), which a tool's debug output or crash report could carry off.
const PASSED = new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER']);
// Proxies and helm's own directories: how helm reaches a chart repository and where it caches.
const PASSED_PATTERN = /^((https?|no)_proxy|HELM_[A-Z_]+|XDG_[A-Z_]+_HOME)$/i;

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (PASSED.has(key) || PASSED_PATTERN.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}
