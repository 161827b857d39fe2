// Runs helm against a cluster: the cluster's kubeconfig and context on the command line, the
// minimal child environment, and helm's own message when it fails.
import { execFile } from 'node:child_process';
import { childEnv } from './child-env';

/** `--kubeconfig` and `--kube-context` of a cluster's configuration. */
export function helmContext(kube: { kubeconfig: string; context?: string }): string[] {
  return [
    '--kubeconfig',
    kube.kubeconfig,
    ...(kube.context ? ['--kube-context', kube.context] : []),
  ];
}

/** Runs helm; a failure throws with helm's own message. */
export function runHelm(binary: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: childEnv() },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const why = err.killed ? `timed out after ${timeoutMs} ms` : stderr.trim() || err.message;
        reject(new Error(`helm ${args[0]}: ${why}`));
      },
    );
  });
}
