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
