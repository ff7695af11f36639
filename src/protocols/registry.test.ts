import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOLS } from './index.js';

test('the database modules describe db.query only, both through the one core describer', () => {
  for (const type of ['postgres', 'mysql']) {
    const module = PROTOCOLS.moduleFor(type);
    assert.equal(module?.describeAction('llm.request', { statement: 'x' }), null);
    assert.equal(module?.describeAction('db.query', { statement: 'select 1' })?.text, 'select 1');
  }
  assert.equal(PROTOCOLS.describeAction('db.query', { statement: 'select 1' }).text, 'select 1');
});

test('every connection type is served by exactly one module', () => {
  for (const module of PROTOCOLS.modules) {
    for (const type of Object.keys(module.connectionTypes)) assert.equal(PROTOCOLS.moduleFor(type), module);
  }
});
