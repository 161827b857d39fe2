// Steward's operations as `steward examples` prints them and `steward schedule` checks them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as workflows from '../../workflows';
import { isRunOf, WORKFLOW_ID_PATTERN } from '../../workflows/api';
import { loadConfig } from '../../workers/config';
import { OPERATIONS, renderExample } from '../../cli/operations';
import { scheduleOptions } from '../../cli/commands/schedule';

const printedInput = (rendered: string) =>
  JSON.parse(rendered.split('Input          ')[1].split('\n')[0]) as Record<string, unknown>;

describe('operation examples', () => {
  for (const [name, operation] of Object.entries(OPERATIONS)) {
    it(`${name}: a registered workflow type, a derived ID, an input to paste that the workflow accepts`, () => {
      assert.equal(
        typeof (workflows as Record<string, unknown>)[operation.workflowType],
        'function',
      );
      const rendered = renderExample(name, operation);
      const id = /Workflow ID {4}(\S+)/.exec(rendered)?.[1] ?? '';
      assert.match(id, WORKFLOW_ID_PATTERN);
      const input = printedInput(rendered);
      assert.deepEqual(operation.parse(input), input, 'parsing the printed input changes nothing');
    });
  }

  it("a scheduled run's ID is a run of its operation's derived ID, and nothing else is", () => {
    assert.ok(isRunOf('drain/lab/w1', 'drain/lab/w1'));
    assert.ok(isRunOf('drain/lab/w1-2026-12-06T03:00:00Z', 'drain/lab/w1'));
    assert.ok(!isRunOf('drain/lab/w1-2026-12-06T03:00:00', 'drain/lab/w1'));
    assert.ok(!isRunOf('drain/lab/w10', 'drain/lab/w1'));
    assert.ok(!isRunOf('drain/lab/w1-x', 'drain/lab/w1'));
  });

  it("a scheduled run's ID is a Steward ID too (the Schedule appends the run's time)", () => {
    assert.match('k8s-upgrade-plan/lab-2026-12-06T03:00:00Z', WORKFLOW_ID_PATTERN);
    assert.doesNotMatch('k8s-upgrade-plan/lab-2026-12-06T03:00:00', WORKFLOW_ID_PATTERN);
  });

  it('shows the operations that take a window a list of windows that their input accepts', () => {
    const windowed = Object.entries(OPERATIONS).filter(([name, o]) =>
      renderExample(name, o).includes('"window": '),
    );
    assert.deepEqual(
      windowed.map(([name]) => name),
      ['k8s-upgrade', 'reinstall', 'rook-upgrade'],
    );
    for (const [name, operation] of windowed) {
      const shown = JSON.parse(
        renderExample(name, operation).split('e.g. "window": ')[1],
      ) as unknown;
      const input = { ...operation.example, window: shown };
      assert.deepEqual((operation.parse(input) as { window: unknown }).window, shown, name);
    }
  });

  it('fills in the defaults the workflow would use', () => {
    assert.deepEqual(printedInput(renderExample('drain', OPERATIONS.drain)), {
      cluster: 'lab',
      node: 'worker-1',
      timeoutSeconds: 600,
      deleteEmptyDirData: false,
      force: false,
    });
  });
});

describe('schedule options', () => {
  const config = loadConfig({});
  const plan = { operation: 'k8s-upgrade-plan', input: { cluster: 'lab', target: '1.33' } };

  it('start the operation under its derived ID with the parsed input', () => {
    const options = scheduleOptions(config, { ...plan, everySeconds: 600 });
    assert.equal(options.scheduleId, 'k8s-upgrade-plan/lab');
    assert.deepEqual(options.spec, { intervals: [{ every: '600s' }] });
    assert.equal(options.action.type, 'startWorkflow');
    assert.equal(options.action.workflowType, 'planKubernetesUpgrade');
    assert.equal((options.action.args?.[0] as { pauseSeconds: number }).pauseSeconds, 5);
    assert.equal(options.policies?.catchupWindow, '600s');
    assert.equal(options.policies?.pauseOnFailure, false);
    // What the Temporal UI shows of each scheduled run: the schedule, its timing and its input.
    assert.match(
      options.action.staticSummary ?? '',
      /^Scheduled k8s-upgrade-plan \(every 600s\): an upgrade's plan/,
    );
    assert.match(options.action.staticDetails ?? '', /the Schedule k8s-upgrade-plan\/lab/);
    assert.match(options.action.staticDetails ?? '', /"pauseSeconds": 5/);
  });

  it("put the operations that disrupt a cluster on a schedule: the cluster's guard keeps their runs apart", () => {
    const cases: [string, object, string][] = [
      ['drain', { cluster: 'lab', node: 'w1' }, 'drain/lab/w1'],
      ['k8s-upgrade', { cluster: 'lab', target: '1.33' }, 'k8s-upgrade/lab'],
      ['reinstall', { cluster: 'lab', node: 'w2' }, 'reinstall/w2'],
      ['rook-upgrade', { cluster: 'lab', ceph: 'quay.io/ceph/ceph:v18.2.6' }, 'rook-upgrade/lab'],
    ];
    for (const [operation, input, id] of cases) {
      const options = scheduleOptions(config, { operation, input, cron: '0 3 * * 6' });
      assert.equal(options.scheduleId, id);
      assert.equal(options.action.type === 'startWorkflow' && options.action.workflowId, id);
    }
  });

  it('refuse what may not run on a schedule, or bad input, naming the field', () => {
    const cases: [Parameters<typeof scheduleOptions>[1], RegExp][] = [
      [
        { ...plan, operation: 'uncordon', input: { cluster: 'lab', node: 'w1' }, everySeconds: 60 },
        /OPERATION: uncordon may not run on a schedule: returning a node to service/,
      ],
      [{ ...plan, operation: 'nope', everySeconds: 60 }, /OPERATION: "nope" must be one of/],
      [{ ...plan }, /--every or --cron: give exactly one/],
      [{ ...plan, everySeconds: 60, cron: '0 3 * * 1' }, /--every or --cron: give exactly one/],
      [
        { ...plan, input: { cluster: 'lab', target: '1.33', pauseSeconds: -1 }, everySeconds: 60 },
        /--input: pauseSeconds: must be greater than 0/,
      ],
      [{ ...plan, input: { target: '1.33' }, everySeconds: 60 }, /--input: cluster: is required/],
    ];
    for (const [request, message] of cases) {
      assert.throws(() => scheduleOptions(config, request), message);
    }
  });
});
