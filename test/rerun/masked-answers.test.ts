// A recorded answer that echoed a secret holds it masked, so the re-run serves the replacement, not
// the value the client got then. The re-run says so: the answer carries `x-vigil-masked: true` and
// the report lists its recorded position; an answer without a masked value carries neither. The
// real CLI serves a recording made through a real gateway whose injected credential is a known secret.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordForFile } from './record-for-file.js';
import { ECHO_REQUEST, type Recording, recordEcho, UPSTREAM_KEY } from './recording.js';
import { startRerun } from './rerun-cli.js';

let rec: Recording;

recordForFile((r) => {
  rec = r;
});

const SECRET_REQUEST = {
  model: 'demo',
  messages: [{ role: 'user' as const, content: `ECHO use ${UPSTREAM_KEY} for the deploy` }],
};

async function ask(url: string, body: unknown): Promise<{ masked: string | null; text: string }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return { masked: res.headers.get('x-vigil-masked'), text: await res.text() };
}

test('an answer served with a masked value says so, and the report lists it', async () => {
  const withSecret = await recordEcho(rec, 'masked-answer', SECRET_REQUEST);
  const rerun = await startRerun(rec.configFile, withSecret, [], rec.env);
  const served = await ask(rerun.url, SECRET_REQUEST);
  assert.doesNotMatch(served.text, new RegExp(UPSTREAM_KEY));
  assert.match(served.text, /\[MASKED:known-secret:[0-9a-f]{6}\]/);
  assert.equal(served.masked, 'true');
  const { report, stdout } = await rerun.stop();
  assert.deepEqual(report.masked, [1]);
  assert.match(stdout, /served with masked values/);

  const plain = await recordEcho(rec, 'plain-answer');
  const plainRerun = await startRerun(rec.configFile, plain, [], rec.env);
  assert.equal((await ask(plainRerun.url, ECHO_REQUEST)).masked, null);
  assert.deepEqual((await plainRerun.stop()).report.masked, []);
});
