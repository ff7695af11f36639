// The path the rules judge is the path the upstream gets: however a client spells a path (percent
// escapes, dot segments, doubled slashes), a rule on the canonical form cannot be walked around.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isVigilError } from '../../core/errors.js';
import { HTTP_CONNECTION_TYPES } from './config.js';
import { canonicalPath, pathDecision } from './path-rules.js';

const config = HTTP_CONNECTION_TYPES.http.parse({
  name: 'api',
  type: 'http',
  upstream: 'http://127.0.0.1:1',
  rules: [
    { methods: ['DELETE'], path: '/**', action: 'deny' },
    { path: '/admin/**', action: 'deny' },
    { path: '/admin', action: 'deny' },
  ],
});

const segment = fc.oneof(
  fc.constantFrom('admin', '.', '..', '%2e', '%2E%2e', 'a', '%61dmin', 'x', '', '%2f', 'Admin'),
  fc.stringMatching(/^[a-z%0-9.]{0,6}$/),
);

test('canonical paths never hold dot segments, and canonicalising is idempotent', () => {
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
      const raw = `/${segments.join('/')}`;
      let path: string;
      try {
        path = canonicalPath(raw);
      } catch (err) {
        assert.ok(isVigilError(err) && err.code === 'uri_malformed');
        return;
      }
      assert.ok(path.startsWith('/'));
      assert.ok(!path.split('/').some((s) => s === '.' || s === '..'));
      assert.equal(canonicalPath(path.replace(/%/g, '%25')), path);
    }),
    { numRuns: 3000 },
  );
});

test('a path that resolves under /admin is denied, however it is spelled', () => {
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
      let path: string;
      try {
        path = canonicalPath(`/${segments.join('/')}`);
      } catch {
        return;
      }
      const underAdmin = path === '/admin' || path.startsWith('/admin/');
      assert.equal(pathDecision(config, 'GET', path).action === 'deny', underAdmin, path);
      assert.equal(pathDecision(config, 'DELETE', path).action, 'deny');
    }),
    { numRuns: 3000 },
  );
});

test('examples', () => {
  assert.equal(canonicalPath('/x/../admin/users'), '/admin/users');
  assert.equal(canonicalPath('/%61dmin'), '/admin');
  assert.equal(canonicalPath('/public/%2e%2e/admin'), '/admin');
  assert.equal(canonicalPath('/../../etc'), '/etc');
  for (const bad of ['/%ff', '/a%00b', '/a%5cb', '/%E0%A4%A', '/%0a', '/admin%0d%0a', '/a%7f']) {
    assert.throws(
      () => canonicalPath(bad),
      (e: unknown) => isVigilError(e) && e.code === 'uri_malformed',
    );
  }
});
