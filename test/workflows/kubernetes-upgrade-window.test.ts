// A Kubernetes upgrade bound to a maintenance window, on the time-skipping test server: new nodes
// start only inside the window; at its end the node in flight finishes, then the rollout sleeps
// (a durable timer) until the next window opens and resumes there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tsToMs } from '@temporalio/common/lib/time';
import { kubernetesUpgradeStatusQuery, type KubernetesUpgradeInput } from '../../workflows/api';
import { WEEKDAYS } from '../../workflows/policy/maintenance-window';
import { FakeFleet } from '../support/fake-fleet';
import { recordHistory } from '../support/histories';
import { useTimeSkippingServer } from '../support/temporal';
import { runUpgrade, type UpgradeHandle } from '../support/upgrade-run';
import { dailyWindow, untilWaitingForWindow } from '../support/windows';

const testEnv = useTimeSkippingServer();
let queue = 0;
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

type Handle = UpgradeHandle;

/** Every day from `from` (to the second) for `minutes`, and when it opens first. */
function everyDay(from: number, minutes: number, zone?: Parameters<typeof dailyWindow>[2]) {
  const opens = Math.floor(from / 1000) * 1000;
  return { opens, window: dailyWindow(opens, minutes * MINUTE, zone) };
}

function run<T>(
  fleet: FakeFleet,
  input: Partial<KubernetesUpgradeInput>,
  body: (h: Handle) => Promise<T>,
): Promise<T> {
  const cluster = `w${++queue}`;
  return runUpgrade(testEnv(), fleet, { cluster, target: '1.32', pauseSeconds: 1, ...input }, body);
}

/** When (server time) each child node workflow started and ended, and the rollout's timers. */
async function timeline(handle: Handle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const at = (e: (typeof events)[number]) => tsToMs(e.eventTime);
  const started = new Map<string, number>();
  const ended = new Map<string, number>();
  const timers: number[] = [];
  for (const e of events) {
    const node = (id?: string | null) => id?.split('/')[2] ?? '';
    const start = e.childWorkflowExecutionStartedEventAttributes;
    if (start) started.set(node(start.workflowExecution?.workflowId), at(e));
    const end = e.childWorkflowExecutionCompletedEventAttributes;
    if (end) ended.set(node(end.workflowExecution?.workflowId), at(e));
    const timer = e.timerStartedEventAttributes?.startToFireTimeout;
    if (timer) timers.push(tsToMs(timer));
  }
  return { started, ended, timers };
}

/** A control-plane node and two workers. */
const threeNodes = () =>
  new FakeFleet([{ name: 'cp-1', controlPlane: true }, { name: 'w1' }, { name: 'w2' }]);

describe('kubernetesUpgrade with a maintenance window', () => {
  it(
    'finishes the node in flight at the window’s end, sleeps, and resumes in the next window',
    { timeout: 240_000 },
    async () => {
      // Each node settles 10 minutes (skipped time): cp-1 fits in the 15-minute window, w1 starts
      // inside it and ends after it, w2 waits for the next day's window.
      const fleet = threeNodes();
      const { opens, window } = everyDay(await testEnv().currentTimeMs(), 15);
      const closes = opens + 15 * MINUTE;
      await run(fleet, { window, pauseSeconds: 600 }, async (h) => {
        const result = await h.result();
        recordHistory(
          testEnv().address,
          h.workflowId,
          'kubernetes-upgrade-window-closes-in-flight',
        );
        assert.equal(result.phase, 'done', result.message);
        assert.equal(result.waitingForWindow, undefined);
        assert.deepEqual(fleet.jobs, [
          'upgrade-cp-1-v1.32.13 apply',
          'upgrade-w1-v1.32.13 node',
          'upgrade-w2-v1.32.13 node',
        ]);
        const { started, ended, timers } = await timeline(h);
        assert.ok(
          started.get('cp-1')! < closes && started.get('w1')! < closes,
          'inside the window',
        );
        assert.ok(ended.get('w1')! > closes, 'w1 was still in flight when the window closed');
        assert.ok(started.get('w2')! >= opens + DAY, 'w2 waited for the next window');
        assert.ok(started.get('w2')! < closes + DAY);
        const wait = timers.find((t) => t > 60 * MINUTE);
        assert.ok(wait, `a durable timer until the next window (timers: ${timers.join(', ')})`);
        assert.ok(
          Math.abs(ended.get('w1')! + wait - (opens + DAY)) < MINUTE,
          'it fires at the opening',
        );
      });
    },
  );

  it(
    'bound to two windows, sleeps after the first only until the second opens the same day',
    { timeout: 240_000 },
    async () => {
      // Short enough to pass in real time should the server not skip it (a run of the whole file
      // once waited): each node settles 15 s, so w1 is in flight when the 20-second first window
      // closes; w2 starts when the second opens a minute in, not in tomorrow's first.
      const fleet = threeNodes();
      const opens = Math.floor((await testEnv().currentTimeMs()) / SECOND) * SECOND;
      const closes = opens + 20 * SECOND;
      const reopens = opens + MINUTE;
      const window = [dailyWindow(opens, 20 * SECOND), dailyWindow(reopens, 30 * MINUTE)];
      await run(fleet, { window, pauseSeconds: 15 }, async (h) => {
        const result = await h.result();
        recordHistory(testEnv().address, h.workflowId, 'kubernetes-upgrade-two-windows');
        assert.equal(result.phase, 'done', result.message);
        const { started, ended, timers } = await timeline(h);
        assert.ok(started.get('w1')! < closes, 'w1 started in the first window');
        assert.ok(ended.get('w1')! > closes, 'and was in flight when it closed');
        assert.ok(started.get('w2')! >= reopens, 'w2 waited for the second window');
        assert.ok(started.get('w2')! < reopens + 30 * MINUTE, 'and started inside it');
        assert.ok(
          timers.some((t) => Math.abs(ended.get('w1')! + t - reopens) < 2 * SECOND),
          `a durable timer until the second window opens (timers: ${timers.join(', ')})`,
        );
      });
    },
  );

  it(
    'started outside the window, starts no node and says when the window opens, in its zone',
    { timeout: 240_000 },
    async () => {
      // India: UTC+5:30 all year; the workflow sandbox's Intl must know the zone.
      const kolkata = { timeZone: 'Asia/Kolkata', offsetMs: 330 * MINUTE };
      const fleet = new FakeFleet([{ name: 'cp-1', controlPlane: true }, { name: 'w1' }]);
      const now = await testEnv().currentTimeMs();
      // Opens 20 s on: beside another test file the test server once stopped skipping time for
      // this wait, which then lasts 20 real seconds rather than hours.
      const { opens, window } = everyDay(now + 20 * SECOND, 60, kolkata);
      await run(fleet, { window }, async (h) => {
        // Not awaiting the result yet, so time does not skip.
        await untilWaitingForWindow(h);
        const waiting = await h.query(kubernetesUpgradeStatusQuery);
        const local = new Date(opens + kolkata.offsetMs);
        const [date, time] = local.toISOString().split(/[T.]/);
        assert.equal(
          waiting.waitingForWindow,
          `${WEEKDAYS.join(',')} ${window.start}-${window.end} Asia/Kolkata is closed; next opens at ` +
            `${WEEKDAYS[local.getUTCDay()]} ${date} ${time} Asia/Kolkata (${new Date(opens).toISOString().slice(11, 19)} UTC)`,
        );
        assert.deepEqual(fleet.jobs, []);
        const result = await h.result();
        assert.equal(result.phase, 'done', result.message);
        const { started } = await timeline(h);
        assert.ok(started.get('cp-1')! >= opens, 'cp-1 started when the window opened');
      });
    },
  );
});
