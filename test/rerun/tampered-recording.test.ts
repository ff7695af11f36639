// An attacker who can write the database rewrites a recorded model answer in its payload column
// (leaving the hashes alone). `vigil rerun` must not serve the rewritten answer as what the model
// said: it refuses the recording with `ledger_tampered`, as `vigil verify` fails on it. Recorded
// through a real gateway in front of the stand-in model; the real CLI re-runs it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { openSharedStore } from '../support/gateway.js';
import { recordForFile } from './record-for-file.js';
import { ECHO_REQUEST, type Recording, recordEcho } from './recording.js';
import { startRerun } from './rerun-cli.js';

let rec: Recording;

recordForFile((r) => {
  rec = r;
});

test('a recorded answer rewritten in the database is refused, not served', async () => {
  const session = await recordEcho(rec, 'tampered-answer');
  const store = await openSharedStore(rec.gateway);
  try {
    const db = sqliteDatabase(store);
    const row = db
      .prepare("SELECT idx, payload FROM events WHERE session_id = ? AND type = 'llm.response'")
      .get(session) as { idx: number; payload: string };
    assert.match(row.payload, /the recorded answer/);
    db.prepare('UPDATE events SET payload = ? WHERE idx = ?').run(
      row.payload.replace('the recorded answer', 'an answer the model never gave'),
      row.idx,
    );
  } finally {
    await store.close();
  }
  await assert.rejects(startRerun(rec.configFile, session, [], rec.env), (err: Error) => {
    assert.match(err.message, /exited with 1/);
    assert.match(err.message, /ledger_tampered/);
    assert.match(err.message, /llm\.response/);
    return true;
  });
});

test('an untouched recording is still served', async () => {
  const session = await recordEcho(rec, 'untouched-answer');
  const rerun = await startRerun(rec.configFile, session, [], rec.env);
  const client = new OpenAI({ baseURL: `${rerun.url}/v1`, apiKey: 'any', maxRetries: 0 });
  const answer = await client.chat.completions.create(ECHO_REQUEST);
  assert.match(answer.choices[0]?.message.content ?? '', /the recorded answer/);
  const { code } = await rerun.stop();
  assert.equal(code, 0);
});
