import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchBody } from './batch-body.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

test('the batch shapes of Graph, Salesforce, Facebook and Google are recognised', () => {
  const found = (type: string | undefined, body: string) => batchBody(type, bytes(body));
  assert.ok(found('application/json', '{"requests":[{"id":"1","method":"GET","url":"/me"}]}'));
  assert.ok(found('application/json', '{"REQUESTS":[{"URL":"/me"}]}'));
  assert.ok(found('application/json', '{"compositeRequest":[{"method":"GET","url":"/x"}]}'));
  assert.ok(found('application/json', '{"graphs":[{"graphId":"1","compositeRequest":[]}]}'));
  assert.ok(found(undefined, 'batch=%5B%7B%22method%22%3A%22GET%22%2C%22relative_url%22%3A%22me%22%7D%5D'));
  assert.ok(
    found(
      'multipart/mixed; boundary=b',
      '--b\r\ncontent-type:application/http\r\n\r\nGET /x HTTP/1.1\r\n--b--',
    ),
  );
  // A JSON batch is read whatever the content type says: a lenient upstream parses it anyway.
  assert.ok(found('text/plain', '{"requests":[{"url":"/me"}]}'));
  assert.ok(found('application/json', '{"batch":[{"method":"GET","relative_url":"me"}]}'));
  assert.ok(batchBody(undefined, bytes(''), '?batch=%5B%7B%22relative_url%22%3A%22me%22%7D%5D'));
  const utf16 = Buffer.from('{"requests":[{"url":"/me"}]}', 'utf16le');
  assert.ok(batchBody('application/json; charset=utf-16le', utf16));
});

test('bodies that only look alike are not batches', () => {
  const found = (type: string | undefined, body: string) => batchBody(type, bytes(body));
  assert.equal(found('application/json', '{"requests":[{"custom_id":"a","params":{}}]}'), null);
  assert.equal(found('application/json', '{"requests":3,"url":"/x","method":"GET"}'), null);
  assert.equal(found('application/json', '[{"method":"GET","url":"/x"}]'), null);
  assert.equal(found('text/plain', 'Content-Type: application/http\r\n'), null);
  assert.equal(found('application/x-www-form-urlencoded', 'batch=nightly'), null);
  assert.equal(found(undefined, ''), null);
});
