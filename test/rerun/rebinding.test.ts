// A web page visited by the person running `vigil rerun` has its own name resolve to 127.0.0.1 (DNS
// rebinding) and asks the re-run, which takes no credential, for the recorded answers as its own
// origin. The request names the page's host: the re-run refuses it before matching anything, and
// still serves a client that addresses it by IP or localhost. The real CLI serves a recording made
// through a real gateway.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { recordForFile } from './record-for-file.js';
import { ECHO_REQUEST, type Recording, recordEcho } from './recording.js';
import { startRerun } from './rerun-cli.js';

let rec: Recording;

recordForFile((r) => {
  rec = r;
});

/** POSTs the recorded chat request to the re-run with this Host header; status, error code, body. */
function ask(url: string, host: string): Promise<{ status: number; code: string | undefined; body: string }> {
  const { port } = new URL(url);
  const body = JSON.stringify(ECHO_REQUEST);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, code: res.headers['x-vigil-error'] as string, body: text }),
        );
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

test('a request addressed to another host name is refused; one addressed by IP or localhost is served', async () => {
  const session = await recordEcho(rec, 'rebinding');
  const rerun = await startRerun(rec.configFile, session, [], rec.env);
  const port = new URL(rerun.url).port;
  const rebound = await ask(rerun.url, `attacker.example:${port}`);
  assert.equal(rebound.status, 403);
  assert.equal(rebound.code, 'forbidden_connection');
  assert.doesNotMatch(rebound.body, /the recorded answer/);
  const served = await ask(rerun.url, `127.0.0.1:${port}`);
  assert.equal(served.status, 200, served.body);
  assert.match(served.body, /the recorded answer/);
  // The refused request took no recorded answer: the one request made is the one served.
  const { report } = await rerun.stop();
  assert.equal(report.requests, 1);
  assert.equal(report.answered, 1);
});
