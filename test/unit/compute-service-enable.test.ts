// The compute service's enable and disable as the real Nova activity does them (over
// test/support/fake-nova.ts's Nova API): a service a person disabled stays disabled, with that
// person's reason, whatever a later eviction or reinstall of Steward's asks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeNova, REGION } from '../support/fake-nova';

const region = REGION;

describe('setComputeServiceEnabled', () => {
  it("an enable (a reinstall's end) leaves a service a person disabled meanwhile disabled", async () => {
    const nova = new FakeNova(['hv-1', 'hv-2']);
    const act = nova.activities();
    const reinstall = 'reinstall by Steward (reinstall/hv-1)';
    await act.setComputeServiceEnabled!({
      region,
      host: 'hv-1',
      enabled: false,
      reason: reinstall,
    });
    // During the reinstall a person takes the host out for a repair.
    nova.host('hv-1').disabledReason = 'RMA 4711: dead disk';
    const end = await act.setComputeServiceEnabled!({ region, host: 'hv-1', enabled: true });
    assert.deepEqual([end.changed, end.keptReason], [false, true]);
    const hv1 = nova.host('hv-1');
    assert.deepEqual([hv1.enabled, hv1.disabledReason], [false, 'RMA 4711: dead disk']);
    // Disabled without a reason is a person's too.
    Object.assign(nova.host('hv-2'), { enabled: false, disabledReason: null });
    await act.setComputeServiceEnabled!({ region, host: 'hv-2', enabled: true });
    assert.equal(nova.host('hv-2').enabled, false);
  });

  it('a service Steward disabled is enabled again', async () => {
    const nova = new FakeNova(['hv-1']);
    const act = nova.activities();
    const reason = 'reinstall by Steward (reinstall/hv-1)';
    await act.setComputeServiceEnabled!({ region, host: 'hv-1', enabled: false, reason });
    const end = await act.setComputeServiceEnabled!({ region, host: 'hv-1', enabled: true });
    assert.deepEqual([end.changed, nova.host('hv-1').enabled], [true, true]);
  });

  it("a disable keeps a person's reason", async () => {
    const nova = new FakeNova(['hv-1']);
    Object.assign(nova.host('hv-1'), { enabled: false, disabledReason: 'RMA 4711' });
    const reason =
      'failed 2026-12-07T07:00:00.000Z; fenced and evicted by Steward (evict/lab/hv-1)';
    const kept = await nova.activities().setComputeServiceEnabled!({
      region,
      host: 'hv-1',
      enabled: false,
      reason,
    });
    assert.deepEqual([kept.changed, kept.keptReason], [false, true]);
    assert.equal(nova.host('hv-1').disabledReason, 'RMA 4711');
  });
});
