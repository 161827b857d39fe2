// The tools Steward runs get none of the worker's secrets from its environment.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cliTransport } from '../../activities/ceph/transport';

const bin = mkdtempSync(join(tmpdir(), 'steward-child-env-'));
after(() => rmSync(bin, { recursive: true, force: true }));
// A `ceph` that prints the environment it was given.
writeFileSync(join(bin, 'ceph'), '#!/bin/sh\nenv\n');
chmodSync(join(bin, 'ceph'), 0o755);

describe("a child process's environment", () => {
  it('has PATH, HOME and proxies, and none of the worker settings or secrets', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      PATH: `${bin}:${process.env.PATH}`,
      TEMPORAL_API_KEY: 'temporal-secret',
      STEWARD_WEBHOOK_URL: 'https://hooks.example/token-secret',
      VAULT_TOKEN: 'vault-secret',
      HTTPS_PROXY: 'http://proxy.example:3128',
    });
    try {
      const { stdout } = await cliTransport({ conf: 'c', keyring: 'k' }, 5_000).run(['status']);
      const env = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((l) => l.split(/=(.*)/s, 2)),
      );
      assert.equal(env.HTTPS_PROXY, 'http://proxy.example:3128');
      assert.ok(env.PATH?.startsWith(bin));
      assert.doesNotMatch(stdout, /secret/);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
