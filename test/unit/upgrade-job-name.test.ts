import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upgradeJobName } from '../../activities/kubernetes/upgrade-jobs';

describe('upgradeJobName', () => {
  it('is a DNS label made of node and version', () => {
    assert.equal(upgradeJobName('worker-1', 'v1.32.13'), 'upgrade-worker-1-v1-32-13');
    assert.equal(
      upgradeJobName('node.example.com', 'v1.33.13'),
      'upgrade-node-example-com-v1-33-13',
    );
  });

  it('stays within 63 characters and unique for long node names', () => {
    const a = upgradeJobName(`rack-12-${'x'.repeat(60)}-a`, 'v1.32.13');
    const b = upgradeJobName(`rack-12-${'x'.repeat(60)}-b`, 'v1.32.13');
    assert.ok(a.length <= 63 && b.length <= 63);
    assert.match(a, /^[a-z0-9-]+$/);
    assert.notEqual(a, b);
    assert.equal(a, upgradeJobName(`rack-12-${'x'.repeat(60)}-a`, 'v1.32.13'));
  });
});
