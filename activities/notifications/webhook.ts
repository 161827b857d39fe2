// Tells the operators' webhook that an operation started, waits for them, failed or completed:
// Steward's JSON event, or one line of `text` as Slack's and Mattermost's incoming webhooks take.
// The URL may carry a token (chat webhooks do), so it never appears in a message or a log.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { OperatorNotification } from '../../workflows/api';

export interface WebhookConfig {
  /** Where events are POSTed as JSON; without it, events are dropped. */
  url?: string;
  /** The Temporal UI the events link to. */
  uiUrl: string;
  timeoutMs?: number;
  /** `steward`: the JSON event below; `text`: `{ "text": "…" }` for Slack or Mattermost. */
  format?: 'steward' | 'text';
}

/** The JSON body the webhook receives. */
export interface WebhookEvent extends OperatorNotification {
  workflowId: string;
  runId: string;
  workflowType: string;
  namespace: string;
  /** The workflow's page in the Temporal UI. */
  link: string;
  time: string;
}

export function notificationActivities(config: WebhookConfig) {
  return {
    async notifyOperators(notification: OperatorNotification): Promise<{ delivered: boolean }> {
      if (!config.url) return { delivered: false };
      const event = eventFor(notification, Context.current().info, config.uiUrl);
      const response = await fetch(config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(config.format === 'text' ? { text: textOf(event) } : event),
        signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
      }).catch((err: unknown) => {
        throw new Error(`webhook not reached: ${(err as Error).name}`);
      });
      await response.body?.cancel();
      if (response.ok) return { delivered: true };
      const message = `webhook answered ${response.status} ${response.statusText}`;
      // As Kubernetes' clients do: a timeout, throttling or a server error may pass; others will not.
      if (response.status === 408 || response.status === 429 || response.status >= 500) {
        throw new Error(message);
      }
      throw ApplicationFailure.nonRetryable(message, 'WebhookRefused');
    },
  };
}

function eventFor(
  notification: OperatorNotification,
  info: Context['info'],
  uiUrl: string,
): WebhookEvent {
  const workflowId = info.workflowExecution?.workflowId ?? '';
  const runId = info.workflowExecution?.runId ?? '';
  const namespace = info.workflowNamespace ?? info.activityNamespace;
  const page = [namespace, 'workflows', workflowId, runId].map(encodeURIComponent).join('/');
  return {
    ...notification,
    workflowId,
    runId,
    workflowType: info.workflowType ?? '',
    namespace,
    link: `${uiUrl.replace(/\/+$/, '')}/namespaces/${page}/history`,
    time: new Date().toISOString(),
  };
}

/** One chat line: what, which operation, why, the decisions to give, and the link. */
export function textOf(e: WebhookEvent): string {
  const what =
    e.operation && e.operation !== e.workflowId
      ? `${e.workflowId} (in ${e.operation})`
      : e.workflowId;
  const decide = e.decisions?.length
    ? ` Answer with \`steward decide ${e.workflowId} ${e.decisions.join('|')}\`.`
    : '';
  return `Steward ${e.kind}: ${what}${e.reason ? `: ${e.reason}` : ''}.${decide} ${e.link}`;
}
