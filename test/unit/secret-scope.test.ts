// Each purpose resolves Vault references only under its own paths: a BMC reference from an input
// or NetBox never makes the worker read (and send to that BMC) the NetBox or OpenStack secret.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scopedSecrets } from '../../activities/common/secrets';

describe('scoped secrets', () => {
  const read: string[] = [];
  const vault = async (ref: string) => (read.push(ref), `value of ${ref}`);

  it('resolve a reference under the purpose default paths', async () => {
    const bmc = scopedSecrets(vault, 'bmc');
    assert.equal(
      await bmc('vault:secret/data/bmc/node-7#password'),
      'value of vault:secret/data/bmc/node-7#password',
    );
    assert.equal(
      await scopedSecrets(vault, 'netbox')('vault:secret/data/netbox#token'),
      'value of vault:secret/data/netbox#token',
    );
  });

  it('refuse another purpose path, or a lookalike segment, without reading it or saying a value', async () => {
    read.length = 0;
    const bmc = scopedSecrets(vault, 'bmc');
    for (const ref of [
      'vault:secret/data/netbox#token',
      'vault:secret/data/bmcx/n#password',
      'vault:secret/data/openstack/steward#password',
    ]) {
      await assert.rejects(bmc(ref), (err: Error) => {
        assert.equal(
          err.message,
          `bmc.credentials: ${ref} is outside the Vault paths allowed for bmc secrets (vault.prefixes.bmc: secret/data/bmc)`,
        );
        return true;
      });
    }
    assert.deepEqual(read, [], 'nothing read');
  });

  it('follow the configured prefixes instead of the defaults', async () => {
    const bmc = scopedSecrets(vault, 'bmc', ['kv/data/oob/']);
    assert.match(await bmc('vault:kv/data/oob/rack-1/node-7#password'), /^value of /);
    await assert.rejects(
      bmc('vault:secret/data/bmc/node-7#password'),
      /vault\.prefixes\.bmc: kv\/data\/oob\)$/,
    );
  });
});
