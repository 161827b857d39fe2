import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { chooseDeployment, parseReinstallInput } from '../../workflows/policy/reinstall-input';

const refusal = (field: string, reason: RegExp) => (err: unknown) =>
  err instanceof ApplicationFailure &&
  err.nonRetryable &&
  (err.details?.[0] as { field: string }).field === field &&
  reason.test((err.details?.[0] as { reason: string }).reason);

test('a reinstall request gets its defaults: timeouts and the BMC login as Vault references', () => {
  assert.deepEqual(parseReinstallInput({ node: 'worker-2', cluster: 'lab' }), {
    node: 'worker-2',
    cluster: 'lab',
    drainTimeoutSeconds: 600,
    rejoinTimeoutSeconds: 1800,
    migrationConcurrency: 2,
    bmcCredentials: {
      username: 'vault:secret/data/bmc/worker-2#username',
      password: 'vault:secret/data/bmc/worker-2#password',
    },
  });
});

test('bad reinstall requests are refused naming the field', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ cluster: 'lab' }, 'node', /required/],
    [{ node: 'Worker_2', cluster: 'lab' }, 'node', /node name/],
    [{ node: 'w', cluster: 'lab', deployment: 'ubuntu' }, 'deployment', /standard, none, custom/],
    [
      { node: 'w', cluster: 'lab', deployment: 'none', customScript: '/x' },
      'customScript',
      /custom/,
    ],
    [
      { node: 'w', cluster: 'lab', rejoinTimeoutSeconds: 0 },
      'rejoinTimeoutSeconds',
      /greater than 0/,
    ],
    [
      { node: 'w', cluster: 'lab', bmcCredentials: { username: 'root', password: 'vault:a#b' } },
      'bmcCredentials.username',
      /Vault reference/,
    ],
    [{ node: 'w', cluster: 'lab', password: 'x' }, 'password', /not a known field/],
    [{ node: 'w', cluster: 'lab', novaRegion: 'Region One' }, 'novaRegion', /./],
    [
      { node: 'w', cluster: 'lab', novaRegion: 'lab', migrationConcurrency: 0 },
      'migrationConcurrency',
      /at least 1/,
    ],
    [
      {
        node: 'w',
        cluster: 'lab',
        window: { days: ['sat'], start: '22:00', end: '04:00', timeZone: 'CET1' },
      },
      'window.timeZone',
      /IANA time zone/,
    ],
  ];
  for (const [input, field, reason] of cases) {
    assert.throws(() => parseReinstallInput(input), refusal(field, reason), JSON.stringify(input));
  }
});

test('the deployment: the request, else NetBox custom fields, else standard', () => {
  const request = { node: 'worker-2' };
  const table: [object, object, object][] = [
    [{}, {}, { deployment: 'standard' }],
    [{}, { deploymentOption: null }, { deployment: 'standard' }],
    [{}, { deploymentOption: 'none' }, { deployment: 'none' }],
    [{ deployment: 'standard' }, { deploymentOption: 'none' }, { deployment: 'standard' }],
    [
      {},
      { deploymentOption: 'custom', customBaseScript: '/srv/a.sh' },
      { deployment: 'custom', customScript: '/srv/a.sh' },
    ],
    [
      { deployment: 'custom', customScript: '/b.sh' },
      { customBaseScript: '/srv/a.sh' },
      { deployment: 'custom', customScript: '/b.sh' },
    ],
  ];
  for (const [asked, netbox, expected] of table) {
    assert.deepEqual(
      chooseDeployment({ ...request, ...asked }, netbox),
      expected,
      JSON.stringify([asked, netbox]),
    );
  }
  assert.throws(
    () => chooseDeployment({ ...request, deployment: 'custom' }, { customBaseScript: '  ' }),
    refusal('customScript', /required for deployment custom/),
  );
  assert.throws(
    () => chooseDeployment(request, { deploymentOption: 'kickstart' }),
    refusal('deployment', /"kickstart"/),
  );
});
