// A NetBox token rotated while the worker runs: the next call after NetBox's 401 reads it again.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { NetboxClient } from '../../activities/netbox/client';

let valid = 'nbt_a.one';
const seen: string[] = [];
const server = createServer((req, res) => {
  seen.push(req.headers.authorization ?? '');
  const ok = req.headers.authorization === `Bearer ${valid}`;
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
  res.end(ok ? '{"count":0,"results":[]}' : '{"detail":"Invalid v2 token"}');
});
before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
after(() => server.close());

describe('the NetBox token', () => {
  it('is read again after a 401, once; a token that is still refused fails naming NetBox', async () => {
    let file = 'nbt_a.one';
    let reads = 0;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const netbox = new NetboxClient({ url }, async () => (reads++, file));
    await netbox.request('GET', 'dcim/devices/');
    valid = file = 'nbt_b.two'; // rotated in NetBox and in the file
    assert.deepEqual(await netbox.request('GET', 'dcim/devices/'), { count: 0, results: [] });
    assert.equal(reads, 2);
    assert.deepEqual(seen, ['Bearer nbt_a.one', 'Bearer nbt_a.one', 'Bearer nbt_b.two']);

    valid = 'nbt_c.three'; // rotated in NetBox only
    await assert.rejects(
      netbox.request('GET', 'dcim/devices/'),
      /NetBox GET \/api\/dcim\/devices\/.*401/,
    );
    assert.equal(reads, 3, 'one more read, no loop');
  });
});
