// The path the rules judge is the path the upstream gets: however a client spells a path (percent
// escapes, dot segments, doubled slashes, `;` parameters, case, a trailing slash), a deny rule cannot
// be walked around by an upstream that reads the path another way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isVigilError } from '../../core/errors.js';
import { HTTP_CONNECTION_TYPES } from './config.js';
import {
  canonicalPath,
  pathDecision,
  pathReadings,
  structuralReadings,
  upstreamBasePath,
  withoutFormat,
} from './path-rules.js';

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
  fc.constantFrom(
    'admin',
    '.',
    '..',
    '%2e',
    '%2E%2e',
    'a',
    '%61dmin',
    '%2561dmin',
    'x',
    '',
    '%2f',
    'Admin',
    'ADMIN',
    'admin;v=1',
    '..;',
    '.;x',
    'a;',
  ),
  fc.stringMatching(/^[a-z%0-9.;]{0,6}$/),
);

/**
 * RFC 3986 §5.2.4 (remove_dot_segments) over a path's segments, written from the RFC rather than
 * taken from the code under test. Node 20's URL parser cannot be the oracle: it leaves `..` after a
 * segment such as `.a` unresolved (`/x/.a/../b` stays as it is), which made this test flaky.
 */
function removeDotSegments(segments: readonly string[]): string {
  const out: string[] = [];
  for (const [i, s] of segments.entries()) {
    const last = i === segments.length - 1;
    if (s === '.' || s === '..') {
      if (s === '..') out.pop();
      if (last) out.push('');
    } else out.push(s);
  }
  return `/${out.join('/')}`;
}

/**
 * Whether any reading of a decoded path an upstream might make lies under /admin, worked out
 * independently: each transformation applied to the segments, and dot segments resolved by
 * removeDotSegments rather than by the code under test.
 */
function someReadingUnderAdmin(rawPath: string): boolean {
  const decodings = [decodeURIComponent(rawPath)];
  try {
    decodings.push(decodeURIComponent(decodings[0]!));
  } catch {}
  for (const decoded of decodings) {
    for (let flags = 0; flags < 16; flags++) {
      let segments = decoded.split('/').slice(1);
      if (flags & 1) segments = segments.map((x) => x.split(';')[0]!);
      if (flags & 2) segments = segments.filter((x, i) => x !== '' || i === segments.length - 1);
      let path = removeDotSegments(segments);
      if (flags & 4 && path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
      if (flags & 8) path = path.toLowerCase();
      if (path === '/admin' || path.startsWith('/admin/')) return true;
    }
  }
  return false;
}

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

test('a path any reading of which lies under /admin is denied, and no other', () => {
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
      const raw = `/${segments.join('/')}`;
      let readings: string[];
      try {
        readings = pathReadings(raw);
      } catch {
        return;
      }
      assert.equal(readings[0], canonicalPath(raw), 'the canonical reading comes first');
      const denied = pathDecision(config, 'GET', readings).action === 'deny';
      assert.equal(denied, someReadingUnderAdmin(raw), raw);
      assert.equal(pathDecision(config, 'DELETE', readings).action, 'deny');
    }),
    { numRuns: 3000 },
  );
});

test('examples of readings an upstream may make', () => {
  const denied = (raw: string) => pathDecision(config, 'GET', pathReadings(raw)).action === 'deny';
  for (const raw of [
    '/public/..;/admin',
    '/ADMIN/users',
    '//admin/users',
    '/admin/',
    '/%2561dmin',
    '/admin;x/users',
  ]) {
    assert.ok(denied(raw), raw);
  }
  for (const raw of ['/public/a', '/administrator', '/x/admin']) assert.ok(!denied(raw), raw);
  const allowList = HTTP_CONNECTION_TYPES.http.parse({
    name: 'api',
    type: 'http',
    upstream: 'http://127.0.0.1:1',
    default_action: 'deny',
    rules: [{ path: '/api/**', action: 'allow' }],
  });
  const allowed = (raw: string) => pathDecision(allowList, 'GET', pathReadings(raw)).action === 'allow';
  assert.ok(allowed('/api/items'));
  assert.ok(allowed('/api'), '/x/** covers /x');
  assert.ok(!allowed('/API/items'), 'an allow rule matches the path as written');
  assert.ok(!allowed('/api/..;/admin'), 'every reading must be allowed');
});

test('a HEAD is judged as the GET an upstream runs for it: a GET deny holds it, a GET allow does not admit it', () => {
  const connection = (rules: unknown[], default_action: 'allow' | 'deny') =>
    HTTP_CONNECTION_TYPES.http.parse({
      name: 'api',
      type: 'http',
      upstream: 'http://127.0.0.1:1',
      rules,
      default_action,
    });
  const denyList = connection([{ methods: ['GET'], path: '/reports/**', action: 'deny' }], 'allow');
  const allowList = connection([{ methods: ['GET'], path: '/open/**', action: 'allow' }], 'deny');
  const decision = (c: typeof denyList, method: string, raw: string) =>
    pathDecision(c, method, pathReadings(raw)).action;
  assert.equal(decision(denyList, 'HEAD', '/reports/q3'), 'deny');
  assert.equal(decision(denyList, 'HEAD', '/Reports/q3/'), 'deny');
  assert.equal(decision(denyList, 'HEAD', '/other'), 'allow');
  assert.equal(decision(denyList, 'POST', '/reports/q3'), 'allow', 'only HEAD reads as GET');
  assert.equal(decision(allowList, 'GET', '/open/x'), 'allow');
  assert.equal(decision(allowList, 'HEAD', '/open/x'), 'deny', 'an allow matches the method as sent');
});

test('a deny rule written with capitals holds every case spelling a case-insensitive router serves alike', () => {
  const connection = HTTP_CONNECTION_TYPES.http.parse({
    name: 'api',
    type: 'http',
    upstream: 'http://127.0.0.1:1',
    rules: [{ path: '/providers/Microsoft.Compute/**', action: 'deny' }],
  });
  const decision = (raw: string) => pathDecision(connection, 'GET', pathReadings(raw)).action;
  for (const raw of [
    '/providers/microsoft.compute/vm',
    '/PROVIDERS/MICROSOFT.COMPUTE',
    '/providers/Microsoft.Compute',
    '/providers/microsoft.COMPUTE/',
  ]) {
    assert.equal(decision(raw), 'deny', raw);
  }
  assert.equal(decision('/providers/Microsoft.Storage/x'), 'allow');
});

test('an allow rule written with capitals admits the path it names, under a default deny', () => {
  const connection = HTTP_CONNECTION_TYPES.http.parse({
    name: 'api',
    type: 'http',
    upstream: 'http://127.0.0.1:1',
    default_action: 'deny',
    rules: [
      { path: '/providers/Microsoft.Compute/secrets/**', action: 'deny' },
      { path: '/providers/Microsoft.Compute/**', action: 'allow' },
    ],
  });
  const decision = (raw: string) => pathDecision(connection, 'GET', pathReadings(raw)).action;
  // Its lower-cased reading matched no rule as written, so the default denied the request.
  assert.equal(decision('/providers/Microsoft.Compute/vm1'), 'allow');
  assert.equal(decision('/providers/microsoft.compute/vm1'), 'deny', 'an allow matches the path as written');
  assert.equal(decision('/providers/Microsoft.Compute/SECRETS/k'), 'deny', 'a deny still holds every case');
  assert.equal(decision('/providers/Microsoft.Compute/../Microsoft.Storage/x'), 'deny');
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

test('a deny rule holds a path with a format suffix, as Rails routes it; the default does not', () => {
  assert.equal(withoutFormat('/admin.json'), '/admin');
  assert.equal(withoutFormat('/users/7/token.tar.gz'), '/users/7/token');
  assert.equal(withoutFormat('/admin.'), '/admin');
  assert.equal(withoutFormat('/v1.2/admin'), null);
  assert.equal(withoutFormat('/.well-known'), null, 'a leading dot is the name, not a suffix');
  assert.equal(withoutFormat('/'), null);
  const decision = (c: typeof config, raw: string) => pathDecision(c, 'GET', pathReadings(raw)).action;
  for (const raw of ['/admin.json', '/Admin.JSON', '/admin.json/', '/x/../admin.html']) {
    assert.equal(decision(config, raw), 'deny', raw);
  }
  assert.equal(decision(config, '/administrator.json'), 'allow');
  const strict = HTTP_CONNECTION_TYPES.http.parse({
    name: 'api',
    type: 'http',
    upstream: 'http://127.0.0.1:1',
    default_action: 'deny',
    rules: [{ path: '/files/*.txt', action: 'allow' }],
  });
  assert.equal(decision(strict, '/files/a.txt'), 'allow', 'the stripped reading is held to deny rules only');
  assert.equal(decision(strict, '/files/a'), 'deny');
});

test('a second decoding is held to what the first is, and a decoded `?` or `#` ends a reading', () => {
  for (const bad of ['/x/..%255Cadmin', '/admin%2500', '/a%250ab', '/a%257f']) {
    assert.throws(
      () => pathReadings(bad),
      (e: unknown) => isVigilError(e) && e.code === 'uri_malformed',
      bad,
    );
  }
  // Not percent-encoding once decoded: a server that decodes twice refuses it; no reading.
  assert.deepEqual(pathReadings('/files/%25ff'), ['/files/%ff']);
  const decision = (raw: string) => pathDecision(config, 'GET', pathReadings(raw)).action;
  for (const raw of ['/admin%3F', '/admin%23x', '/admin%253Fx=1', '/x/..%252Fadmin%2523']) {
    assert.equal(decision(raw), 'deny', raw);
  }
  assert.equal(decision('/public%3Fadmin'), 'allow');
});

test('below a base path, a reading that climbs above the root is refused; one that stays below passes', () => {
  for (const bad of ['/..;/api/admin', '/x/..;/..;/y', '/%252e%252e/internal', '/..%2Fx', '//../x']) {
    assert.throws(
      () => structuralReadings(bad, true),
      (e: unknown) => isVigilError(e) && e.code === 'uri_malformed',
      bad,
    );
    // With no base path the upstream's root is the rules' root: a `..` there stays there.
    assert.doesNotThrow(() => structuralReadings(bad), bad);
  }
  for (const good of ['/x/..;/y', '/x/%252e%252e/y', '/a/b/../..', '//x/..']) {
    assert.doesNotThrow(() => structuralReadings(good, true), good);
  }
  assert.equal(upstreamBasePath('http://h:1'), '');
  assert.equal(upstreamBasePath('http://h:1/'), '');
  assert.equal(upstreamBasePath('https://h/remote.php/dav/'), '/remote.php/dav');
  assert.equal(upstreamBasePath('https://h/a/./b/../%63'), '/a/c');
});

/** java.lang.String#equalsIgnoreCase on one UTF-16 unit each, from its Javadoc (the oracle). */
function javaSameIgnoringCase(x: string, y: string): boolean {
  const upper = (c: string) => (c.toUpperCase().length === 1 ? c.toUpperCase() : c);
  // Character.toLowerCase maps İ to i; JavaScript's full mapping adds a combining dot.
  const lower = (c: string) => (c === '\u0130' ? 'i' : c.toLowerCase().length === 1 ? c.toLowerCase() : c);
  return x === y || upper(x) === upper(y) || lower(upper(x)) === lower(upper(y));
}

test('a deny rule holds every spelling a router comparing as Java, .NET or Go ignoring case serves alike', () => {
  const decision = (raw: string) => pathDecision(config, 'GET', pathReadings(raw)).action;
  // ı (dotless i), İ, and the ASCII letters spelled by their look-alike case partners.
  for (const raw of ['/adm%C4%B1n', '/ADM%C4%B0N/users', '/adm%C4%B0n.json', '/%C4%B1/../admin']) {
    assert.equal(decision(raw), 'deny', raw);
  }
  assert.ok(pathReadings('/u%C5%BFers').includes('/users'), 'ſ (long s) reads as s');
  assert.ok(pathReadings('/%E2%84%AAeys').includes('/keys'), 'the Kelvin sign reads as k');
  assert.equal(decision('/public/adm%C4%B1n'), 'allow');
  // For every letter Java folds onto an ASCII one, some reading of a path holding it names the
  // path with that ASCII letter: a rule on the ASCII spelling cannot be walked around.
  fc.assert(
    fc.property(
      fc.integer({ min: 0x80, max: 0xffff }),
      fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
      (code, ascii) => {
        const c = String.fromCharCode(code);
        if (code >= 0xd800 && code <= 0xdfff) return;
        if (!javaSameIgnoringCase(c, ascii)) return;
        const raw = `/x${encodeURIComponent(c)}y`;
        assert.ok(pathReadings(raw).includes(`/x${ascii}y`), `U+${code.toString(16)} as ${ascii}`);
      },
    ),
    { numRuns: 20000 },
  );
});
