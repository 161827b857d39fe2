import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chooseTargets,
  type CandidateHost,
  type InstanceSize,
} from '../../workflows/policy/evacuation-targets';

const host = (
  name: string,
  freeRamMb: number,
  more: Partial<CandidateHost> = {},
): CandidateHost => ({
  host: name,
  state: 'up',
  status: 'enabled',
  freeVcpus: 16,
  freeRamMb,
  ...more,
});
const vms = (n: number, ramMb = 1024, vcpus = 1): InstanceSize[] =>
  Array.from({ length: n }, (_, i) => ({ id: `vm-${i + 1}`, vcpus, ramMb }));
const targets = (choices: ReturnType<typeof chooseTargets>) =>
  choices.map((c) => ('target' in c ? c.target : `none: ${c.reason}`));

describe('chooseTargets', () => {
  const cases: {
    name: string;
    instances: InstanceSize[];
    hosts: CandidateHost[];
    expected: string[];
  }[] = [
    {
      name: 'a burst spreads over equal hosts instead of piling onto one',
      instances: vms(4),
      hosts: [host('hv-2', 8192), host('hv-3', 8192), host('hv-4', 8192)],
      expected: ['hv-2', 'hv-3', 'hv-4', 'hv-2'],
    },
    {
      name: 'the emptiest host first, until it is no longer the emptiest',
      instances: vms(3),
      hosts: [host('hv-2', 2048), host('hv-3', 4096)],
      expected: ['hv-3', 'hv-3', 'hv-2'],
    },
    {
      name: 'never the failed host, a down host or a disabled one',
      instances: vms(2),
      hosts: [
        host('hv-1', 99999),
        host('hv-2', 99999, { state: 'down' }),
        host('hv-3', 99999, { status: 'disabled' }),
        host('hv-4', 2048),
      ],
      expected: ['hv-4', 'hv-4'],
    },
    {
      name: 'an instance that fits nowhere is reported; smaller ones still go',
      instances: [
        { id: 'big', vcpus: 1, ramMb: 4096 },
        { id: 'small', vcpus: 1, ramMb: 512 },
      ],
      hosts: [host('hv-2', 2048)],
      expected: [
        'none: no capacity: no up, enabled hypervisor has 1 vCPUs and 4096 MB free',
        'hv-2',
      ],
    },
    {
      name: 'vCPUs count too',
      instances: vms(2, 512, 4),
      hosts: [host('hv-2', 8192, { freeVcpus: 6 })],
      expected: [
        'hv-2',
        'none: no capacity: no up, enabled hypervisor has 4 vCPUs and 512 MB free',
      ],
    },
    {
      name: 'no other host up and enabled',
      instances: vms(1),
      hosts: [host('hv-1', 8192), host('hv-2', 8192, { status: 'disabled' })],
      expected: ['none: no capacity: no other hypervisor is up and enabled'],
    },
  ];
  for (const c of cases)
    it(c.name, () =>
      assert.deepEqual(targets(chooseTargets(c.instances, c.hosts, 'hv-1')), c.expected),
    );
});
