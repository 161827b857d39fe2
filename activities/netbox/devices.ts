// NetBox device activities: read a device, write its status, comments and custom fields, add
// journal entries. Every write first reads what NetBox holds and compares it with what NetBox would
// store (netbox-values.ts), so a retry or a reconcile of an unchanged device writes nothing.
import { Context, type Info } from '@temporalio/activity';
import { invalidInput } from '../../workflows/api';
import type { NetboxClient } from './client';
import { customFieldValue, storedComments, type CustomFieldValue } from './netbox-values';

export interface DeviceFacts {
  id: number;
  name: string;
  serial: string;
  status: string;
  /** The OOB IP without its prefix length (e.g. 10.0.0.7); null when NetBox records none. */
  oobIp: string | null;
  comments: string;
  /** Custom field values as they are written (a selection's value, not its label). */
  customFields: Record<string, unknown>;
  /** NetBox's own timestamp of the device's last save. */
  lastUpdated: string;
}

export interface DeviceUpdate {
  device: string;
  /** A NetBox device status value: active, offline, planned, staged, failed, ... */
  status?: string;
  comments?: string;
  /** Only the fields named here are written; null clears one. */
  customFields?: Record<string, CustomFieldValue>;
}

export interface DeviceUpdateResult {
  /** The fields that differed and were written; empty when NetBox already held the goal. */
  changed: string[];
}

export const JOURNAL_KINDS = ['info', 'success', 'warning', 'danger'] as const;

export interface JournalEntryInput {
  device: string;
  kind: (typeof JOURNAL_KINDS)[number];
  comments: string;
}

export interface JournalEntryResult {
  id: number;
  /** False when a previous attempt of this activity had already added it. */
  created: boolean;
}

interface NetboxDevice {
  id: number;
  name: string;
  serial: string;
  status: { value: string };
  oob_ip: { address: string } | null;
  comments: string;
  custom_fields: Record<string, unknown>;
  last_updated: string;
}

export function deviceActivities(netbox: () => NetboxClient) {
  async function readDevice(name: string): Promise<NetboxDevice> {
    if (typeof name !== 'string' || name.trim() === '') {
      throw invalidInput('device', 'must be a device name');
    }
    const query = new URLSearchParams({ name });
    const { results } = await netbox().request<{ results: NetboxDevice[] }>(
      'GET',
      `dcim/devices/?${query}`,
    );
    if (results.length === 0) throw invalidInput('device', `no device named "${name}" in NetBox`);
    if (results.length > 1) {
      throw invalidInput('device', `${results.length} devices named "${name}" in NetBox`);
    }
    return results[0];
  }

  return {
    async describeDevice({ device }: { device: string }): Promise<DeviceFacts> {
      const d = await readDevice(device);
      return {
        id: d.id,
        name: d.name,
        serial: d.serial,
        status: d.status.value,
        oobIp: d.oob_ip ? d.oob_ip.address.split('/')[0] : null,
        comments: d.comments,
        customFields: Object.fromEntries(
          Object.entries(d.custom_fields).map(([k, v]) => [k, customFieldValue(v)]),
        ),
        lastUpdated: d.last_updated,
      };
    },

    async updateDevice(update: DeviceUpdate): Promise<DeviceUpdateResult> {
      const d = await readDevice(update.device);
      const patch: Record<string, unknown> = {};
      if (update.status !== undefined && update.status !== d.status.value) {
        patch.status = update.status;
      }
      if (update.comments !== undefined && storedComments(update.comments) !== d.comments) {
        patch.comments = update.comments;
      }
      const fields = Object.entries(update.customFields ?? {}).filter(
        ([name, value]) => !sameValue(customFieldValue(d.custom_fields[name]), value),
      );
      if (fields.length > 0) patch.custom_fields = Object.fromEntries(fields);
      const changed = [
        ...Object.keys(patch).filter((k) => k !== 'custom_fields'),
        ...fields.map(([name]) => `customFields.${name}`),
      ];
      if (changed.length > 0) await netbox().request('PATCH', `dcim/devices/${d.id}/`, patch);
      return { changed };
    },

    /**
     * Adds a journal entry to the device once per activity, however often it is retried: the
     * entry carries a marker naming this activity (an HTML comment, which NetBox's Markdown
     * rendering hides), and an attempt that finds its marker already there adds nothing.
     */
    async addJournalEntry(input: JournalEntryInput): Promise<JournalEntryResult> {
      if (!JOURNAL_KINDS.includes(input.kind)) {
        throw invalidInput('kind', `must be one of ${JOURNAL_KINDS.join(', ')}`);
      }
      if (storedComments(input.comments) === '') {
        throw invalidInput('comments', 'must not be empty');
      }
      const d = await readDevice(input.device);
      const marker = activityMarker(Context.current().info);
      const query = new URLSearchParams({
        assigned_object_type: 'dcim.device',
        assigned_object_id: String(d.id),
        q: marker,
      });
      const found = await netbox().request<{ results: { id: number }[] }>(
        'GET',
        `extras/journal-entries/?${query}`,
      );
      if (found.results.length > 0) return { id: found.results[0].id, created: false };
      const entry = await netbox().request<{ id: number }>('POST', 'extras/journal-entries/', {
        assigned_object_type: 'dcim.device',
        assigned_object_id: d.id,
        kind: input.kind,
        comments: `${storedComments(input.comments)}\n\n${marker}`,
      });
      return { id: entry.id, created: true };
    },
  };
}

/** Names this activity: the same for each of its retries, different for every other activity. */
function activityMarker({ workflowExecution: run, activityId }: Info): string {
  if (!run) throw new Error('addJournalEntry runs only as an activity of a workflow');
  return `<!-- steward:${run.workflowId} ${run.runId} ${activityId} -->`;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
