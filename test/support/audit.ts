// Reads the lab apiserver's audit log: what the real server says was done, not what we think.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface AuditEvent {
  verb: string;
  stage: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

/** Successful evictions per pod ("namespace/name"), as the apiserver recorded them. */
export function evictionsByPod(stateDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  const lines = readFileSync(join(stateDir, 'lab/audit.log'), 'utf8').split('\n').filter(Boolean);
  for (const line of lines) {
    const event = JSON.parse(line) as AuditEvent;
    const ref = event.objectRef;
    if (
      event.stage !== 'ResponseComplete' ||
      event.verb !== 'create' ||
      ref?.subresource !== 'eviction'
    )
      continue;
    const code = event.responseStatus?.code ?? 0;
    if (code < 200 || code >= 300) continue;
    const key = `${ref.namespace}/${ref.name}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
