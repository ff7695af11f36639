import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeHttpAction } from './action-facts.js';

test('a HEAD reads to policy as itself, with the GET an upstream runs for it among the alternates', () => {
  const facts = describeHttpAction('http.request', { method: 'HEAD', path: '/exports/all', query: '?x=1' })!;
  assert.equal(facts.text, 'HEAD /exports/all?x=1');
  assert.ok(facts.alternateTexts?.includes('GET /exports/all?x=1'));
  const get = describeHttpAction('http.request', { method: 'GET', path: '/exports/all', query: '' })!;
  assert.equal(get.text, 'GET /exports/all');
  assert.ok(!get.alternateTexts?.some((t) => t.startsWith('HEAD')));
});

test('a query reads also with its values decoded, so a pattern on a value holds its escaped spellings', () => {
  const facts = describeHttpAction('http.request', {
    method: 'GET',
    path: '/export',
    query: '?format=%63sv&q=a+b',
  })!;
  assert.equal(facts.text, 'GET /export?format=%63sv&q=a+b');
  assert.ok(facts.alternateTexts?.includes('GET /export?format=csv&q=a b'));
  const odd = describeHttpAction('http.request', { method: 'GET', path: '/x', query: '?a=%ff&b=%63' })!;
  assert.ok(odd.alternateTexts?.includes('GET /x?a=%ff&b=c'), 'an undecodable escape stays as sent');
  const plain = describeHttpAction('http.request', { method: 'GET', path: '/x', query: '?a=1' })!;
  assert.deepEqual(plain.alternateTexts, []);
});

test('a path reads also case-folded as Java and .NET compare it, so a pattern on /admin holds /admın', () => {
  const facts = describeHttpAction('http.request', {
    method: 'POST',
    path: '/v1/payoutſ/adm\u0131n',
    query: '',
  })!;
  assert.ok(facts.alternateTexts?.includes('POST /v1/payouts/admin'));
});
