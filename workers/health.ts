// The worker's liveness and readiness over HTTP, for a kubelet's probes: live while the process
// serves, ready while the worker polls its task queue (not while it starts or drains).
import { createServer, type Server } from 'node:http';
import type { Worker } from '@temporalio/worker';

export function serveHealth(
  worker: Pick<Worker, 'getState'>,
  { port, bindAddress }: { port: number; bindAddress: string },
): Promise<Server> {
  const server = createServer((req, res) => {
    const state = worker.getState();
    const [code, body] =
      req.url === '/livez'
        ? [200, 'ok']
        : req.url === '/readyz'
          ? state === 'RUNNING'
            ? [200, 'ok']
            : [503, `worker ${state.toLowerCase()}`]
          : [404, 'not found: /livez, /readyz'];
    res.writeHead(code, { 'content-type': 'text/plain' }).end(`${body}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress, () => resolve(server));
  });
}
