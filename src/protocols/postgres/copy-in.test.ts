import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyInFollower, mayStartCopyIn } from './copy-in.js';

test('a message behind a possible copy waits; during the copy it is open; after it, clear', () => {
  const c = new CopyInFollower();
  assert.equal(c.verdict, 'clear');
  c.forwarded();
  assert.equal(c.verdict, 'wait');
  assert.equal(c.started(), true);
  assert.equal(c.verdict, 'open');
  c.clientEnded();
  // The server reads the CopyDone first, but the statement is not answered yet (another copy may follow).
  assert.equal(c.verdict, 'wait');
  c.answered();
  assert.equal(c.verdict, 'clear');
});

test('a CopyDone sent before the server started the copy ends that copy', () => {
  const c = new CopyInFollower();
  c.forwarded();
  c.clientEnded();
  assert.equal(c.started(), true);
  assert.equal(c.verdict, 'wait');
  // A second copy in the same text finds no end ahead of it.
  assert.equal(c.started(), true);
  assert.equal(c.verdict, 'open');
  c.answered();
  assert.equal(c.verdict, 'clear');
});

test('a CopyDone with no copy possible is not counted for a later one', () => {
  const c = new CopyInFollower();
  c.clientEnded();
  c.forwarded();
  assert.equal(c.started(), true);
  assert.equal(c.verdict, 'open');
});

test('ends counted for a statement that never copied are forgotten when it is answered', () => {
  const c = new CopyInFollower();
  c.forwarded();
  c.clientEnded();
  c.answered();
  c.forwarded();
  c.started();
  assert.equal(c.verdict, 'open');
});

test('a copy no forwarded statement could start is reported', () => {
  assert.equal(new CopyInFollower().started(), false);
});

test('changed() resolves on a start, an answer and the end of the connection', async () => {
  const c = new CopyInFollower();
  c.forwarded();
  const started = c.changed();
  c.started();
  await started;
  const answered = c.changed();
  c.answered();
  await answered;
  const gone = c.changed();
  c.abandon();
  await gone;
});

test('only a top-level COPY that writes, or a statement Vigil could not parse, may start a copy', () => {
  const s = (kind: string, writes: boolean, nested = false) => ({ kind, writes, nested });
  assert.equal(mayStartCopyIn([s('COPY', true)]), true);
  assert.equal(mayStartCopyIn([s('SELECT', false), s('UNKNOWN', true)]), true);
  assert.equal(mayStartCopyIn([s('COPY', false)]), false);
  assert.equal(mayStartCopyIn([s('SELECT', false), s('COPY', true, true)]), false);
  assert.equal(mayStartCopyIn([]), false);
});

test('after Vigil failed a copy, only the server error that answers it is replaced', () => {
  const c = new CopyInFollower();
  const server = Buffer.from('server error');
  const vigil = Buffer.from('record_failed');
  assert.equal(c.errorShown(server), server);
  c.failedByVigil(vigil);
  assert.equal(c.errorShown(server), vigil);
  assert.equal(c.errorShown(server), server, 'a later error reaches the client as the server sent it');
  c.failedByVigil(vigil);
  c.abandon();
  assert.equal(c.errorShown(server), server);
});
