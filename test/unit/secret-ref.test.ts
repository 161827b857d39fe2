import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_INPUT } from '../../workflows/api';
import { parseSecretRef } from '../../workflows/policy/secret-ref';

describe('parseSecretRef', () => {
  it('splits a KV v2 reference into its API path and key', () => {
    assert.deepEqual(parseSecretRef('vault:secret/data/bmc/node-7#password'), {
      path: 'secret/data/bmc/node-7',
      key: 'password',
    });
    assert.deepEqual(parseSecretRef('vault:teams/infra/data/netbox#api_token.v2'), {
      path: 'teams/infra/data/netbox',
      key: 'api_token.v2',
    });
  });

  const refused: [string, unknown, RegExp][] = [
    ['not a string', 42, /must be a string, got number/],
    ['no scheme', 'secret/data/bmc/node-7#password', /does not start with vault:/],
    ['another scheme', 'file:/etc/passwd#x', /does not start with vault:/],
    ['no key', 'vault:secret/data/bmc/node-7', /needs exactly one #/],
    ['two keys', 'vault:secret/data/bmc/node-7#user#password', /needs exactly one #/],
    ['empty key', 'vault:secret/data/bmc/node-7#', /key "" must be/],
    ['key with a space', 'vault:secret/data/bmc#pass word', /key "pass word" must be/],
    ['empty segment', 'vault:secret/data//node-7#password', /bad segment ""/],
    ['leading slash', 'vault:/secret/data/node-7#password', /bad segment ""/],
    ['dot-dot', 'vault:secret/data/../sys/policy#x', /bad segment "\.\."/],
    ['no data segment (KV v1)', 'vault:secret/bmc/node-7#password', /not a KV v2 data path/],
    ['data first', 'vault:data/bmc#password', /not a KV v2 data path/],
    ['data last', 'vault:secret/data#password', /not a KV v2 data path/],
  ];
  for (const [name, ref, reason] of refused) {
    it(`refuses ${name}, naming the field`, () => {
      assert.throws(
        () => parseSecretRef(ref, 'bmc.passwordRef'),
        (err: unknown) => {
          assert.ok(err instanceof ApplicationFailure);
          assert.equal(err.type, INVALID_INPUT);
          assert.equal(err.nonRetryable, true);
          const { field, reason: text } = err.details?.[0] as { field: string; reason: string };
          assert.equal(field, 'bmc.passwordRef');
          assert.match(text, reason);
          assert.match(text, /expected vault:<mount>\/data\/<path>#<key>/);
          return true;
        },
      );
    });
  }
});
