// The lab's port reservation: ports below the kernel's ephemeral range (which another process's
// bind(0) could take before the lab's daemon binds), distinct across calls, each locked for this
// process until it exits.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { freeLoopbackPorts, freePorts } from '../../lab/ports';

it('reserves distinct ports below the ephemeral range, each locked with this pid', async () => {
  const [ephemeralFrom] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  const ports = [
    ...Object.values(await freePorts()),
    ...Object.values(await freePorts()),
    ...(await freeLoopbackPorts(4)),
  ];
  assert.equal(new Set(ports).size, ports.length, 'distinct');
  for (const port of ports) {
    assert.ok(port < ephemeralFrom, `${port} below ${ephemeralFrom}`);
    const lock = readFileSync(join(tmpdir(), 'steward-ports', String(port)), 'utf8');
    assert.equal(Number(lock), process.pid);
  }
});
