import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../core/errors.js';
import { matchRoute, type RoutePattern } from './router.js';

interface NamedRoute extends RoutePattern {
  readonly name: string;
}

const routes: NamedRoute[] = [
  { name: 'list', method: 'GET', pattern: /^\/api\/users$/ },
  { name: 'disable', method: 'POST', pattern: /^\/api\/users\/([^/]+)\/disable$/ },
  { name: 'show', method: 'GET', pattern: /^\/api\/users\/([^/]+)$/ },
  { name: 'remove', method: 'DELETE', pattern: /^\/api\/users\/([^/]+)$/ },
  { name: 'first-of-two', method: 'GET', pattern: /^\/api\/twice$/ },
  { name: 'second-of-two', method: 'GET', pattern: /^\/api\/twice$/ },
  { name: 'optional', method: 'GET', pattern: /^\/api\/files(?:\/([^/]+))?$/ },
];

function found(method: string, path: string): { name: string; params: string[] } | 'method' | null {
  const m = matchRoute(routes, method, path);
  return m === null || m === 'method' ? m : { name: m.route.name, params: m.params };
}

function refusal(method: string, path: string): VigilError {
  try {
    matchRoute(routes, method, path);
  } catch (err) {
    assert.ok(err instanceof VigilError, String(err));
    return err;
  }
  assert.fail(`${method} ${path} was matched`);
}

test('the method picks among routes on the same path; an unknown path is not a wrong method', () => {
  assert.deepEqual(found('GET', '/api/users/bob'), { name: 'show', params: ['bob'] });
  assert.deepEqual(found('DELETE', '/api/users/bob'), { name: 'remove', params: ['bob'] });
  assert.equal(found('POST', '/api/users/bob'), 'method');
  assert.equal(found('GET', '/api/users/bob/disable'), 'method');
  assert.equal(found('GET', '/api/nothing'), null);
  assert.equal(found('get', '/api/users'), 'method', 'methods are matched exactly, as Node gives them');
  assert.deepEqual(found('GET', '/api/twice'), { name: 'first-of-two', params: [] });
  assert.deepEqual(found('GET', '/api/files'), { name: 'optional', params: [''] });
});

test('parameters are percent-decoded, and an encoded slash stays inside its parameter', () => {
  assert.deepEqual(found('POST', '/api/users/alice%40example.com/disable'), {
    name: 'disable',
    params: ['alice@example.com'],
  });
  assert.deepEqual(found('GET', '/api/users/..%2F..%2Fadmin'), { name: 'show', params: ['../../admin'] });
  assert.deepEqual(found('POST', '/api/users/a%2Fdisable'), 'method', 'a%2F does not end the segment');
  assert.deepEqual(found('GET', '/api/users/%E2%82%AC%20x'), { name: 'show', params: ['€ x'] });
});

test('any string survives encoding into a parameter and matching back out', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), (value) => {
      assert.deepEqual(found('GET', `/api/users/${encodeURIComponent(value)}`), {
        name: 'show',
        params: [value],
      });
    }),
    { numRuns: 1000 },
  );
});

test('a parameter that is not percent-encoded UTF-8 is uri_malformed and never quoted back', () => {
  for (const bad of ['%ff', '%E0%A4%A', '%', '%zz', 'ok%C3', '%ED%A0%80']) {
    const err = refusal('GET', `/api/users/${bad}`);
    assert.equal(err.code, 'uri_malformed', bad);
    assert.equal(err.status, 400);
    assert.ok(!err.message.includes(bad), err.message);
  }
});

test('whatever the bytes, a match decodes exactly or refuses with uri_malformed', () => {
  const segment = fc
    .array(
      fc.oneof(
        fc.constantFrom('%', 'a', '~'),
        fc.nat(255).map((b) => `%${b.toString(16)}`),
      ),
      {
        minLength: 1,
        maxLength: 10,
      },
    )
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(segment, (raw) => {
      let expected: string | null;
      try {
        expected = decodeURIComponent(raw);
      } catch {
        expected = null;
      }
      if (expected === null) assert.equal(refusal('GET', `/api/users/${raw}`).code, 'uri_malformed');
      else assert.deepEqual(found('GET', `/api/users/${raw}`), { name: 'show', params: [expected] });
    }),
    { numRuns: 1000 },
  );
});
