// NetBox's changelog (`/api/core/object-changes/`, NetBox >= 4.1) as plain records: every
// create, update and delete NetBox recorded, by user and request.
import type { TestLab } from '../lab';
import { netboxGet } from '../lab-bare-metal';
import type { NetboxChange } from './records';

interface RawChange {
  time: string;
  user_name: string;
  request_id: string;
  action: { value: NetboxChange['action'] };
  changed_object_type: string;
  changed_object_id: number;
  prechange_data: Record<string, unknown> | null;
  postchange_data: Record<string, unknown> | null;
}

export const changeRecord = (c: RawChange): NetboxChange => ({
  at: c.time,
  user: c.user_name,
  requestId: c.request_id,
  action: c.action.value,
  objectType: c.changed_object_type,
  objectId: c.changed_object_id,
  data: (c.action.value === 'delete' ? c.prechange_data : c.postchange_data) ?? {},
});

/** Every change NetBox recorded, oldest first. */
export async function netboxChanges(lab: TestLab): Promise<NetboxChange[]> {
  const changes: NetboxChange[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await netboxGet<{ results: RawChange[]; next: string | null }>(
      lab,
      `core/object-changes/?ordering=time&limit=500&offset=${offset}`,
    );
    changes.push(...page.results.map(changeRecord));
    if (!page.next) return changes;
  }
}

/** NetBox's serial of each device, by name. */
export async function netboxSerials(lab: TestLab): Promise<Record<string, string>> {
  const { results } = await netboxGet<{ results: { name: string; serial: string }[] }>(
    lab,
    'dcim/devices/?limit=1000',
  );
  return Object.fromEntries(results.map((d) => [d.name, d.serial]));
}
