import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { methodOverride } from './method-override.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const none = new Uint8Array(0);
const bytes = (s: string) => new TextEncoder().encode(s);
const anyCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

test('an override to another method is found in each place an upstream may read it from', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...METHODS),
      fc.constantFrom(...METHODS).chain((m) => anyCase(m)),
      (method, other) => {
        fc.pre(other.toUpperCase() !== method);
        const found = [
          methodOverride(method, { 'x-http-method-override': other }, '', undefined, none),
          methodOverride(method, { 'x-http-method': ` ${other}` }, '', undefined, none),
          methodOverride(method, { 'x-method-override': [method, other] }, '', undefined, none),
          methodOverride(method, {}, `?a=1&_method=${other}`, undefined, none),
          methodOverride(method, {}, `?%5Fmethod=${other}`, undefined, none),
          methodOverride(
            method,
            {},
            '',
            'application/x-www-form-urlencoded; charset=utf-8',
            bytes(`_method=${other}`),
          ),
          methodOverride(method, {}, '', 'application/json', bytes(JSON.stringify({ _method: other }))),
          methodOverride(
            method,
            {},
            '',
            'application/vnd.api+json',
            bytes(JSON.stringify({ _method: other })),
          ),
        ];
        for (const f of found) assert.equal(f?.toUpperCase(), other.toUpperCase());
        assert.notEqual(
          methodOverride(
            method,
            {},
            '',
            'multipart/form-data; boundary=x',
            bytes(`name="_method"\r\n\r\n${other}`),
          ),
          null,
        );
      },
    ),
  );
});

test('naming the method sent, or no override at all, is not an override', () => {
  fc.assert(
    fc.property(fc.constantFrom(...METHODS), fc.string(), (method, text) => {
      fc.pre(!text.includes('method'));
      assert.equal(
        methodOverride(method, { 'x-http-method-override': method.toLowerCase() }, '', undefined, none),
        null,
      );
      assert.equal(methodOverride(method, {}, `?_method=${method}`, undefined, none), null);
      assert.equal(
        methodOverride(method, {}, `?q=${encodeURIComponent(text)}`, 'application/json', bytes(text)),
        null,
      );
      assert.equal(methodOverride(method, {}, '', 'application/x-www-form-urlencoded', bytes(text)), null);
      assert.equal(methodOverride(method, {}, '', 'text/plain', bytes(`_method=DELETE${text}`)), null);
    }),
  );
});

test('an override named as PHP reads a parameter name, or sent where Rack and Laravel read one, is found', () => {
  const form = 'application/x-www-form-urlencoded';
  for (const [search, type, body] of [
    ['?.method=DELETE', undefined, ''],
    ['?%20_method=DELETE', undefined, ''],
    ['?[method=DELETE', undefined, ''],
    ['?_method[]=DELETE', undefined, ''],
    ['?a=1;_method=DELETE', undefined, ''],
    ['', form, 'a=1&.method=DELETE'],
    ['', undefined, '_method=DELETE'],
    ['', '', '_method=DELETE'],
    ['', 'text/json', '{"_method":"DELETE"}'],
    ['', 'application/json-seq', '{"_method":"DELETE"}'],
    ['', 'multipart/mixed; boundary=b', 'Content-Disposition: form-data; name="_method"\r\n\r\nDELETE'],
    ['', 'multipart/form-data; boundary=b', "Content-Disposition: form-data; name*=utf-8''_method"],
  ] as const) {
    assert.notEqual(methodOverride('POST', {}, search, type, bytes(body)), null, `${search} ${type} ${body}`);
  }
  for (const [search, type, body] of [
    ['?a=1.method&method=x', undefined, ''],
    ['?_method_=DELETE', undefined, ''],
    ['', form, 'name=x&method.x=1&payment_method=card'],
    ['', 'multipart/form-data; boundary=b', 'Content-Disposition: form-data; name="method"\r\n\r\nDELETE'],
    ['', 'text/plain', '_method=DELETE'],
  ] as const) {
    assert.equal(methodOverride('POST', {}, search, type, bytes(body)), null, `${search} ${type} ${body}`);
  }
});

test('a _method read where PHP or Rack read one, however the content type, name or charset is spelled, is found', () => {
  const form = (type: string, body: string | Uint8Array) =>
    methodOverride('POST', {}, '', type, typeof body === 'string' ? bytes(body) : body);
  // Media types cut as PHP (at `;`, `,`, space) and Rack (at `;`, `,`) cut them.
  assert.equal(form('application/x-www-form-urlencoded, text/plain', '_method=DELETE'), 'DELETE');
  assert.equal(form('application/x-www-form-urlencoded charset=utf-8', '_method=DELETE'), 'DELETE');
  // PHP cuts a name at a NUL.
  assert.equal(form('application/x-www-form-urlencoded', '_method%00x=DELETE'), 'DELETE');
  assert.equal(methodOverride('POST', {}, '?_method%00=PUT', undefined, none), 'PUT');
  // Rack 2 drops brackets around a name.
  assert.equal(form('application/x-www-form-urlencoded', '%5B_method%5D=DELETE'), 'DELETE');
  assert.equal(form('application/x-www-form-urlencoded', ']]_method]=DELETE'), 'DELETE');
  assert.equal(form('application/x-www-form-urlencoded', '[_method][x]=DELETE'), null);
  // Salesforce's REST API runs a POST with `?_HttpMethod=DELETE` as a DELETE.
  assert.equal(methodOverride('POST', {}, '?_HttpMethod=DELETE', undefined, none), 'DELETE');
  assert.equal(methodOverride('PATCH', {}, '?_HttpMethod=PATCH', undefined, none), null);
  // ASP.NET Core looks a form field up ignoring case.
  assert.equal(form('application/x-www-form-urlencoded', '_Method=DELETE'), 'DELETE');
  // Rack reads a multipart body without a boundary as a form.
  assert.equal(form('multipart/form-data', '_method=DELETE'), 'DELETE');
  const multipart = 'multipart/form-data; boundary=b';
  for (const head of [
    'Content-ID: _method',
    'Content-Disposition: form-data; name="\\_me\\thod"',
    "Content-Disposition: form-data; name='_method'",
    'Content-Disposition: form-data; name=_method',
    "Content-Disposition: form-data; name*=utf-8''%5Fmethod",
    'Content-Disposition: form-data; name="_method[]"',
    // A value on a folded line, which PHP joins to the header.
    'Content-Disposition: form-data; name=\r\n "_method"',
    'Content-Disposition: form-data; name="%5Fmethod"',
    'Content-Disposition: form-data; name=" .method"',
  ]) {
    assert.notEqual(form(multipart, `--b\r\n${head}\r\n\r\nDELETE\r\n--b--`), null, head);
  }
  for (const head of [
    'Content-Disposition: form-data; name="payment_method"',
    'Content-Disposition: form-data; name="method"',
    'Content-Disposition: form-data; filename="_method"',
    'Content-ID: <part1@example>',
  ]) {
    assert.equal(form(multipart, `--b\r\n${head}\r\n\r\nDELETE\r\n--b--`), null, head);
  }
  // JSON in its charset, a byte-order mark dropped, as body-parser reads it.
  const json = '{"_method":"DELETE"}';
  assert.equal(form('application/json', `\uFEFF${json}`), 'DELETE');
  assert.equal(form('application/json; charset=utf-16le', Buffer.from(json, 'utf16le')), 'DELETE');
  assert.equal(form('application/json; charset=utf-16be', Buffer.from(json, 'utf16le').swap16()), 'DELETE');
  // body-parser takes the last of two charsets.
  assert.equal(
    form('application/json; charset=utf-8; charset=utf-16le', Buffer.from(json, 'utf16le')),
    'DELETE',
  );
  // Laravel ignores the charset and reads the bytes as UTF-8.
  assert.equal(form('application/json; charset=utf-16le', json), 'DELETE');
});
