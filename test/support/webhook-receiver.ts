// An operators' webhook for tests: records the events Steward's worker POSTs.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookEvent } from '../../activities/notifications/webhook';

/** A webhook receiver that answers with the statuses queued in `answers`, then 204. */
export class WebhookReceiver {
  readonly events: WebhookEvent[] = [];
  readonly answers: number[] = [];
  attempts = 0;
  private server?: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        this.attempts++;
        const status = this.answers.shift() ?? 204;
        if (status < 300) this.events.push(JSON.parse(body) as WebhookEvent);
        res.writeHead(status).end();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
  }

  async until(count: number): Promise<WebhookEvent[]> {
    for (let i = 0; i < 300 && this.events.length < count; i++) await sleep(100);
    return this.events;
  }

  eventsOf(workflowId: string): WebhookEvent[] {
    return this.events.filter((e) => e.workflowId === workflowId);
  }

  stop(): void {
    this.server?.close();
  }
}
