import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BMC_FAILURES,
  NETBOX_FAILURES,
  OPENSTACK_FAILURES,
  VAULT_FAILURES,
  INVALID_INPUT,
} from '../../workflows/api';
import {
  describeOutage,
  outageBackoffSeconds,
  outageSystem,
} from '../../workflows/policy/outage-wait';

describe('outage wait', () => {
  it('names the system behind an unavailable failure', () => {
    assert.equal(outageSystem(NETBOX_FAILURES.unavailable), 'NetBox');
    assert.equal(outageSystem(OPENSTACK_FAILURES.unavailable), 'OpenStack');
    assert.equal(outageSystem(VAULT_FAILURES.unavailable), 'Vault');
  });

  it('does not wait out refusals, bad input, a hung BMC or a bug', () => {
    for (const type of [
      NETBOX_FAILURES.refused,
      OPENSTACK_FAILURES.loginFailed,
      VAULT_FAILURES.loginFailed,
      BMC_FAILURES.timeout,
      INVALID_INPUT,
      'Error',
      undefined,
    ]) {
      assert.equal(outageSystem(type), undefined, String(type));
    }
  });

  it('backs off 5, 10, 20, 40 s, then every minute', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 50].map(outageBackoffSeconds), [5, 10, 20, 40, 60, 60, 60]);
  });

  it('says what is down, why and since when', () => {
    const since = Date.UTC(2026, 11, 7, 10, 42, 13);
    assert.equal(
      describeOutage('NetBox', 'GET dcim/devices: HTTP 500: db down', since),
      'NetBox (GET dcim/devices: HTTP 500: db down, since 10:42:13 UTC)',
    );
  });
});
