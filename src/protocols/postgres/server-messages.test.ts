import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RECORDED_SERVER_MESSAGE_BYTES,
  RECORDED_SERVER_MESSAGES,
  ServerMessages,
} from './server-messages.js';

/** A NoticeResponse body from its fields, by their one-letter codes. */
function noticeBody(fields: Record<string, string>): Buffer {
  const parts = Object.entries(fields).map(([code, value]) => Buffer.from(`${code}${value}\0`));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

test('a notice is recorded by its fields, without where in the server it was raised', () => {
  const m = new ServerMessages();
  m.notice(
    noticeBody({
      S: 'NOTICE',
      V: 'NOTICE',
      C: '00000',
      M: 'pay 1',
      D: 'again',
      W: 'PL/pgSQL',
      F: 'pl_exec.c',
      L: '3',
      R: 'exec',
    }),
    (text) => text.replace('1', '*'),
  );
  assert.deepEqual(m.take(), {
    count: 1,
    messages: [
      {
        type: 'notice',
        severity: 'NOTICE',
        sqlstate: '00000',
        message: 'pay *',
        detail: 'again',
        context: 'PL/pgSQL',
      },
    ],
  });
  assert.equal(m.take(), null, 'taken once');
});

test('notifications and setting reports are recorded whole', () => {
  const m = new ServerMessages();
  const pid = Buffer.alloc(4);
  pid.writeInt32BE(4242);
  m.notification(Buffer.concat([pid, Buffer.from('pay\0secret\0')]));
  m.report(Buffer.from('application_name\0secret\0'));
  assert.deepEqual(m.take()?.messages, [
    { type: 'notification', pid: 4242, channel: 'pay', payload: 'secret' },
    { type: 'parameter', name: 'application_name', value: 'secret' },
  ]);
});

test('what is kept is bounded: a hundred messages, a megabyte of text, 64 KiB a text', () => {
  const m = new ServerMessages();
  for (let i = 0; i < RECORDED_SERVER_MESSAGES + 50; i++) m.notice(noticeBody({ M: `n${i}` }));
  const many = m.take()!;
  assert.equal(many.count, RECORDED_SERVER_MESSAGES + 50);
  assert.equal(many.messages.length, RECORDED_SERVER_MESSAGES);
  // Fields of 60 KiB: the megabyte is reached after 17 of them, whatever notices they are in.
  const field = 'x'.repeat(60 * 1024);
  for (let i = 0; i < 10; i++) m.notice(noticeBody({ M: field, D: field }));
  m.notice(noticeBody({ M: 'y'.repeat(70 * 1024) }));
  const { messages } = m.take()!;
  const texts = messages.flatMap((e) => [e.message, e.detail]).filter((t) => typeof t === 'string');
  const verbatim = texts.filter((t) => t === field);
  assert.equal(verbatim.length, Math.floor(RECORDED_SERVER_MESSAGE_BYTES / field.length));
  assert.equal(texts.at(-1), `<text of ${70 * 1024} bytes not recorded>`);
  // The bound starts again with the next statement.
  m.notice(noticeBody({ M: field }));
  assert.equal(m.take()?.messages[0]?.message, field);
});

test('absorbed messages come after the kept ones, within the count', () => {
  const a = new ServerMessages();
  const b = new ServerMessages();
  a.notice(noticeBody({ M: 'first' }));
  b.notice(noticeBody({ M: 'second' }));
  a.absorb(b.take());
  a.absorb(null);
  assert.deepEqual(
    a.take()?.messages.map((e) => e.message),
    ['first', 'second'],
  );
});
