import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { headerOrQueryOverride, isMethodParam, paramsOverride } from './method-override.js';

const OVERRIDE_PARAMS = new Set(['_method', '_httpmethod']);

/** Every reading of a name isMethodParam takes, spelt out without its shortcut for names lacking `method`. */
function readsAsMethodParam(name: string): boolean {
  const lower = name.toLowerCase();
  const php = lower.split('\u0000', 1)[0]!.trimStart();
  const bracket = php.indexOf('[');
  const base = bracket >= 0 && php.indexOf(']', bracket) > bracket ? php.slice(0, bracket) : php;
  const rack = /^[[\]]*([^[\]]+)\]*$/.exec(lower)?.[1];
  const named = (n: string | undefined) => n !== undefined && OVERRIDE_PARAMS.has(n);
  return [php, base].some((n) => named(n.replace(/[ .[]/g, '_'))) || named(rack);
}

test('a parameter name is read as _method exactly when one of the readings names it', () => {
  const piece = fc.constantFrom(
    '_',
    'method',
    'METHOD',
    'Http',
    'http',
    '[',
    ']',
    ' ',
    '.',
    '\u0000',
    'x',
    'K',
    'ı',
  );
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 6 }).map((parts) => parts.join('')),
      (name) => {
        assert.equal(isMethodParam(name), readsAsMethodParam(name), JSON.stringify(name));
      },
    ),
    { numRuns: 2000 },
  );
  for (const name of [
    '_method',
    '_METHOD',
    ' _Method',
    '_method[]',
    '[_method]',
    '_method\u0000x',
    '_method[x]',
    '_HttpMethod',
  ]) {
    assert.equal(isMethodParam(name), true, name);
  }
  for (const name of ['model', 'messages', 'stream', 'method', '_methods', 'x_method']) {
    assert.equal(isMethodParam(name), false, name);
  }
});

test('an empty query names no method; any spelling of _method in a query still does', () => {
  assert.equal(headerOrQueryOverride('POST', { 'content-type': 'application/json' }, ''), null);
  assert.equal(paramsOverride('POST', ''), null);
  assert.equal(headerOrQueryOverride('POST', {}, '?_method=DELETE'), 'DELETE');
  assert.equal(headerOrQueryOverride('POST', {}, '?a=1;%5FMETHOD=GET'), 'GET');
  assert.equal(headerOrQueryOverride('POST', { X_HTTP_Method_Override: 'PUT' }, ''), 'PUT');
});
