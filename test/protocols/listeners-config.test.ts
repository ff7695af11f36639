// The `listeners` section (core/listeners-config.ts): its defaults, the per-source bound derived
// from the listener's when absent, and what is refused with the key named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenersSectionSchema } from '../../src/core/listeners-config.js';

const DEFAULTS = {
  max_pending_logins: 100,
  max_pending_logins_per_source: 50,
  login_timeout: 120_000,
  http_max_connections: 4096,
  http_headers_timeout: 30_000,
  http_request_timeout: 300_000,
};

test('absent or empty, the defaults; the per-source bound is half the listener bound unless set', () => {
  assert.deepEqual(listenersSectionSchema.parse(undefined), DEFAULTS);
  assert.deepEqual(listenersSectionSchema.parse({}), DEFAULTS);
  assert.equal(listenersSectionSchema.parse({ max_pending_logins: 5 }).max_pending_logins_per_source, 3);
  assert.equal(listenersSectionSchema.parse({ max_pending_logins: 1 }).max_pending_logins_per_source, 1);
  assert.deepEqual(
    listenersSectionSchema.parse({
      max_pending_logins: 10,
      max_pending_logins_per_source: 10,
      http_max_connections: 20_000,
      http_headers_timeout: '5s',
      http_request_timeout: '10m',
    }),
    {
      ...DEFAULTS,
      max_pending_logins: 10,
      max_pending_logins_per_source: 10,
      http_max_connections: 20_000,
      http_headers_timeout: 5_000,
      http_request_timeout: 600_000,
    },
  );
});

test('refused, naming the key: a per-source bound above the listener bound, a headers timeout above the request timeout', () => {
  const issues = (value: unknown) => {
    const result = listenersSectionSchema.safeParse(value);
    assert.equal(result.success, false, JSON.stringify(value));
    return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.deepEqual(issues({ max_pending_logins: 10, max_pending_logins_per_source: 11 }), [
    'max_pending_logins_per_source: must be at most max_pending_logins (10)',
  ]);
  assert.deepEqual(issues({ max_pending_logins_per_source: 101 }), [
    'max_pending_logins_per_source: must be at most max_pending_logins (100)',
  ]);
  assert.deepEqual(issues({ http_headers_timeout: '10m' }), [
    'http_headers_timeout: must be at most http_request_timeout',
  ]);
  assert.match(issues({ max_pending_logins_per_source: 0 })[0]!, /^max_pending_logins_per_source: /);
  assert.match(issues({ http_max_connections: 0 })[0]!, /^http_max_connections: /);
  assert.match(issues({ http_headers_timeout: '500ms' })[0]!, /^http_headers_timeout: must be at least 1s/);
  assert.match(issues({ http_max_pending: 1 })[0]!, /http_max_pending/);
});
