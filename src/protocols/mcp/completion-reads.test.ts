// A resource template filled with a completion's values is the URI a read rule judges: each RFC 6570
// operator writes the value where the server's template puts it, and a variable no value is known
// for stays as written. Pure, and it reads client text: it never throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fillTemplate } from './completion-reads.js';

test('each operator writes a known value where the template puts it', () => {
  const values = { name: 'beta', dir: 'keys', q: 'x' };
  assert.equal(fillTemplate('vault://{name}', values), 'vault://beta');
  assert.equal(fillTemplate('file:///{+dir}/{name}', values), 'file:///keys/beta');
  assert.equal(fillTemplate('demo://root{/dir,name}', values), 'demo://root/keys/beta');
  assert.equal(fillTemplate('demo://a{.name}', values), 'demo://a.beta');
  assert.equal(fillTemplate('demo://a{#name}', values), 'demo://a#beta');
  assert.equal(fillTemplate('demo://a{?q,name}', values), 'demo://a?q=x&name=beta');
  assert.equal(fillTemplate('demo://a{;name}', values), 'demo://a;name=beta');
  assert.equal(fillTemplate('demo://{name*}/{dir:3}', values), 'demo://beta/keys');
});

test('a variable with no value stays as written', () => {
  assert.equal(fillTemplate('secret://{dir}/{name}', { name: 'a' }), 'secret://{dir}/a');
  assert.equal(fillTemplate('secret://files', { name: 'a' }), 'secret://files');
});

test('any template and values fill without throwing', () => {
  fc.assert(
    fc.property(fc.string(), fc.dictionary(fc.string(), fc.string()), (template, values) => {
      assert.equal(typeof fillTemplate(template, values), 'string');
    }),
  );
});
