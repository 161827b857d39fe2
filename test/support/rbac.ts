// Steward as deploy/rbac makes it: the roles applied on a lab, a kubeconfig holding only the
// ServiceAccount's token, and what the apiserver's audit log says that identity asked for (the lab
// records every request of a ServiceAccount, reads too: lab/audit-policy.yaml).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../scripts/stack';
import { auditEvents, describeAuditEvent, STEWARD_USER, type AuditEvent } from './audit';
import type { TestLab } from './lab';

export const RBAC = join(REPO_ROOT, 'deploy/rbac');

/** deploy/rbac's files by name (`10-drain`, …), as an operator applies those a cluster needs. */
export type RbacFile =
  '00-identity' | '10-drain' | '20-kubernetes-upgrade' | '30-addons' | '40-rook' | '50-tigera';

/** The kubeconfig stewardKubeconfig writes in a lab's state dir. */
export const stewardKubeconfigPath = (stateDir: string) => join(stateDir, 'steward.kubeconfig');

/** Applies `files` on the lab and writes a kubeconfig for the lab with only Steward's token. */
export async function stewardKubeconfig(lab: TestLab, files: RbacFile[]): Promise<string> {
  await lab.kubectl(
    'apply',
    '--server-side',
    ...files.flatMap((f) => ['-f', join(RBAC, `${f}.yaml`)]),
  );
  const token = (
    await lab.kubectl('create', 'token', 'steward', '-n', 'steward-system', '--duration', '2h')
  ).trim();
  const admin = parse(readFileSync(lab.kubeconfigPath, 'utf8'));
  admin.users = [{ name: 'steward', user: { token } }];
  admin.contexts = [{ name: lab.context, context: { cluster: lab.context, user: 'steward' } }];
  const path = stewardKubeconfigPath(lab.stateDir);
  writeFileSync(path, stringify(admin), { mode: 0o600 });
  return path;
}

/**
 * Steward's requests from the audit log's `mark`-th event on, after asserting that the apiserver
 * refused none of them and that there were some.
 */
export function stewardRequestsNoneRefused(stateDir: string, mark = 0): AuditEvent[] {
  const requests = auditEvents(stateDir)
    .slice(mark)
    .filter((e) => e.user?.username === STEWARD_USER);
  assert.ok(requests.length > 0, 'the audit log holds requests made as Steward');
  const refused = requests.filter((e) => e.responseStatus?.code === 403);
  assert.deepEqual(refused.map(describeAuditEvent), [], 'nothing Steward asked for was refused');
  return requests;
}
