import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { netboxFailure } from '../../activities/netbox/client';
import { customFieldValue, storedComments } from '../../activities/netbox/netbox-values';
import { INVALID_INPUT, NETBOX_FAILURES } from '../../workflows/api';

describe('storedComments (test/activities/netbox.test.ts checks it against NetBox)', () => {
  const cases: [string, string][] = [
    ['hello\n\n', 'hello'],
    ['  hello  \t', 'hello'],
    ['a\r\nb\r\n', 'a\r\nb'],
    ['\u00a0nbsp\u00a0', 'nbsp'],
    ['x\u001f', 'x'],
    ['x\u0085', 'x'],
    ['line 1\n\nline 2', 'line 1\n\nline 2'],
    [' \n ', ''],
  ];
  for (const [sent, stored] of cases) {
    it(`${JSON.stringify(sent)} is stored as ${JSON.stringify(stored)}`, () => {
      assert.equal(storedComments(sent), stored);
    });
  }

  it('keeps U+FEFF, which Python does not count as whitespace (JavaScript trim() does)', () => {
    assert.equal(storedComments('\ufeffx\ufeff'), '\ufeffx\ufeff');
  });
});

describe('customFieldValue', () => {
  it('reads a selection as its value and everything else as it is', () => {
    assert.equal(customFieldValue({ value: 'custom', label: 'Custom' }), 'custom');
    assert.equal(customFieldValue('/srv/base.sh\n'), '/srv/base.sh\n');
    assert.equal(customFieldValue(null), null);
    assert.equal(customFieldValue(7), 7);
  });
});

describe('netboxFailure', () => {
  const what = 'NetBox PATCH /api/dcim/devices/7/';

  function details(err: ApplicationFailure): { field: string; reason: string } {
    return err.details?.[0] as { field: string; reason: string };
  }

  it('makes a 5xx retryable, quoting NetBox error and exception', () => {
    const body = JSON.stringify({
      error: 'terminating connection due to unexpected postmaster exit',
      exception: 'OperationalError',
      netbox_version: '4.7.3',
    });
    const err = netboxFailure(what, 500, body);
    assert.equal(err.type, NETBOX_FAILURES.unavailable);
    assert.equal(err.nonRetryable, false);
    assert.equal(
      err.message,
      `${what}: HTTP 500: terminating connection due to unexpected postmaster exit (OperationalError)`,
    );
    assert.match(netboxFailure(what, 502, '<html>Bad Gateway</html>').message, /HTTP 502: <html>/);
  });

  it('names the refused field of a 400, custom fields by their name', () => {
    let err = netboxFailure(what, 400, '{"status": ["bogus is not a valid choice."]}');
    assert.equal(err.type, INVALID_INPUT);
    assert.equal(err.nonRetryable, true);
    assert.deepEqual(details(err), {
      field: 'status',
      reason: `${what} refused: status: bogus is not a valid choice.`,
    });
    err = netboxFailure(
      what,
      400,
      `{"custom_fields": {"nope": "Custom field 'nope' does not exist for this object type."}}`,
    );
    assert.equal(details(err).field, 'customFields.nope');
    err = netboxFailure(
      what,
      400,
      `{"__all__": ["Invalid value for custom field 'deployment_option': Invalid choice (bogus)"]}`,
    );
    assert.equal(details(err).field, 'customFields.deployment_option');
  });

  it('makes other 4xx non-retryable with NetBox detail', () => {
    const err = netboxFailure(what, 403, '{"detail": "Invalid v2 token"}');
    assert.equal(err.type, NETBOX_FAILURES.refused);
    assert.equal(err.nonRetryable, true);
    assert.equal(err.message, `${what}: HTTP 403: Invalid v2 token`);
  });
});
