import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { State } from '@temporalio/worker';
import { serveHealth } from '../../workers/health';

describe('the worker health endpoints', () => {
  it('are live while serving, ready only while the worker runs', async () => {
    let state: State = 'INITIALIZED';
    const server = await serveHealth(
      { getState: () => state },
      { port: 0, bindAddress: '127.0.0.1' },
    );
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (path: string) => {
      const res = await fetch(base + path);
      return [res.status, (await res.text()).trim()];
    };
    try {
      assert.deepEqual(await get('/livez'), [200, 'ok']);
      assert.deepEqual(await get('/readyz'), [503, 'worker initialized']);
      state = 'RUNNING';
      assert.deepEqual(await get('/readyz'), [200, 'ok']);
      state = 'DRAINING';
      assert.deepEqual(await get('/readyz'), [503, 'worker draining']);
      assert.equal((await get('/metrics'))[0], 404);
    } finally {
      server.close();
    }
  });
});
