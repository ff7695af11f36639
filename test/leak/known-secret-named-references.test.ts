// The credential Vigil injects, and every configured secret, spelled with HTML's named character
// references beyond XML's five (PHP's htmlentities writes `ü` as `&uuml;` by default, and with
// ENT_HTML5 `(` as `&lpar;`, `/` as `&sol;`, `.` as `&period;`), and escaped three deep (HTML
// escaped three times, `&amp;amp;lt;`; JSON text quoted in a JSON string quoted in a JSON log
// line, `\\\\u002f`). Through an HTTP API connection whose upstream echoes what it was sent,
// whole and three bytes at a time: the client and the data directory must not get it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import { type EchoUpstream, startEchoUpstream } from '../support/echo-upstream.js';
import type { TestGateway } from '../support/gateway.js';
import { askEcho, startEchoGateway } from './echo-gateway.js';

const CREDENTIAL = 'svc-Key(Held)/Co.<0123>';
const CONFIGURED = 'Grüner-Schlüssel-0042';
let upstream: EchoUpstream;
let gateway: TestGateway;

/** The names PHP's htmlentities (ENT_QUOTES | ENT_HTML5) writes for the characters these hold. */
const HTML5: Readonly<Record<string, string>> = {
  '(': '&lpar;',
  ')': '&rpar;',
  '/': '&sol;',
  '.': '&period;',
  '<': '&lt;',
  '>': '&gt;',
  ü: '&uuml;',
};

const json = (s: string) => JSON.stringify(s).slice(1, -1);

/** What each echo writes: the value as the encoder named in `x-echo` spells it. */
function spell(value: string, how: string): string {
  switch (how) {
    case 'html5-named':
      return [...value].map((c) => HTML5[c] ?? c).join('');
    case 'html-thrice':
      return [...value].map((c) => (HTML5[c] ?? c).replace('&', '&amp;amp;')).join('');
    default: {
      // `/` and non-ASCII as `\u` escapes (json_encode's way), then quoted twice more.
      const once = [...value]
        .map((c) => (c === '/' || c > '~' ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c))
        .join('');
      return json(json(once));
    }
  }
}
const KINDS = ['html5-named', 'html-thrice', 'json-thrice'];

before(async () => {
  upstream = await startEchoUpstream((headers) => {
    const how = String(headers['x-echo'] ?? 'html5-named');
    const seen = String(headers['x-api-key'] ?? '');
    return {
      contentType: 'text/html',
      body: `<p>seen ${spell(seen, how)}</p><p>configured ${spell(CONFIGURED, how)}</p>`,
    };
  });
  gateway = await startEchoGateway({
    connection: 'named-refs',
    upstreamUrl: upstream.url,
    envPrefix: 'VIGIL_LEAK_NAMED_REFS',
    credential: CREDENTIAL,
    configured: CONFIGURED,
  });
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
});

test('a secret spelled with HTML5 named references, or escaped three deep, reaches neither the client nor the record', async () => {
  const failures: string[] = [];
  for (const how of KINDS)
    for (const pieces of [false, true]) {
      const res = await askEcho(gateway, 'named-refs', how, pieces);
      const body = await res.text();
      assert.equal(res.status, 200, body);
      if (
        !/^<p>seen \[MASKED:known-secret:[0-9a-f]{6}\]<\/p><p>configured \[MASKED:known-secret:[0-9a-f]{6}\]<\/p>$/.test(
          body,
        )
      )
        failures.push(`${how}${pieces ? ' in pieces' : ''}: ${body}`);
    }
  assert.deepEqual(failures, []);
  await gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(gateway.dataDir))
    for (const secret of [CREDENTIAL, CONFIGURED])
      for (const how of KINDS) {
        const s = spell(secret, how).slice(0, 30);
        assert.ok(!bytes.includes(Buffer.from(s)), `${path} holds ${s}`);
      }
});
